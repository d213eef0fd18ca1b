/**
 * The binding update of a REGISTER (RFC 3261 §10.3 steps 6–7), computed before anything is stored so that
 * it is applied all or nothing:
 *
 * - a Contact equal (§19.1.4) to an existing binding with another Call-ID replaces or (expires 0) removes it;
 * - with the same Call-ID, only a higher CSeq may do so; otherwise the whole update is aborted
 *   (answered 500);
 * - a new Contact is added unless its interval is 0;
 * - the `*` wildcard removes every binding under the same Call-ID/CSeq rule.
 */
import { parseUri, SipParseError, uriEquals, type SipUri } from '../message';
import type { Binding } from './binding-store';
import type { RequestedBinding } from './requested-binding';

/** What identifies the REGISTER doing the update. */
export interface BindingUpdateContext {
  /** Canonical AOR (`addressOfRecord`). */
  aor: string;
  /** Call-ID of the REGISTER. */
  callId: string;
  /** CSeq number of the REGISTER. */
  cseq: number;
  /** Current time, ms since the epoch. */
  now: number;
  /** Where the REGISTER came from, e.g. `"UDP:203.0.113.5:5060"`. */
  source: string;
}

/** A computed update: what to write and remove, and the bindings of the AOR afterwards. */
export type BindingUpdate =
  | { ok: true; put: Binding[]; remove: string[]; bindings: Binding[] }
  | { ok: false; reason: 'out-of-order'; contact: string };

interface Slot {
  binding: Binding;
  uri?: SipUri;
  /** The stored binding this slot replaces, if any. */
  stored?: Binding;
  /** Written by this request (later Contacts of the same request override it without a CSeq check). */
  touched: boolean;
  removed: boolean;
}

function parseStoredUri(contact: string): SipUri | undefined {
  try {
    return parseUri(contact);
  } catch (e) {
    if (e instanceof SipParseError) return undefined;
    throw e;
  }
}

/** The stored binding may be changed by this request (§10.3 step 7 Call-ID/CSeq rule). */
function inOrder(stored: Binding, ctx: BindingUpdateContext): boolean {
  return stored.callId !== ctx.callId || ctx.cseq > stored.cseq;
}

/**
 * Compute the update of `existing` (the AOR's unexpired bindings) by `requested` or the `*` wildcard
 * (RFC 3261 §10.3 steps 6–7). Pure; never throws.
 * @returns the writes, the removals (contact texts as stored) and the resulting bindings; or `out-of-order`
 *   naming the first Contact whose binding has the same Call-ID and a CSeq not lower than the request's.
 */
export function planBindingUpdate(
  existing: readonly Binding[],
  requested: readonly RequestedBinding[] | '*',
  ctx: BindingUpdateContext,
): BindingUpdate {
  const slots: Slot[] = existing
    .filter((b) => b.expiresAt > ctx.now)
    .map((b) => ({ binding: b, uri: parseStoredUri(b.contact), stored: b, touched: false, removed: false }));

  if (requested === '*') {
    for (const slot of slots) {
      if (!inOrder(slot.binding, ctx)) return { ok: false, reason: 'out-of-order', contact: slot.binding.contact };
      slot.removed = true;
    }
  } else {
    for (const r of requested) {
      const slot = slots.find((s) => (s.uri !== undefined ? uriEquals(s.uri, r.uri) : s.binding.contact === r.contact));
      if (slot !== undefined && !slot.touched && !inOrder(slot.binding, ctx)) {
        return { ok: false, reason: 'out-of-order', contact: slot.binding.contact };
      }
      const binding: Binding = {
        aor: ctx.aor,
        contact: r.contact,
        expiresAt: ctx.now + r.expires * 1000,
        callId: ctx.callId,
        cseq: ctx.cseq,
        source: ctx.source,
      };
      if (r.q !== undefined) binding.q = r.q;
      if (r.instanceId !== undefined) binding.instanceId = r.instanceId;
      if (slot !== undefined) {
        slot.binding = binding;
        slot.uri = r.uri;
        slot.touched = true;
        slot.removed = r.expires === 0;
      } else {
        slots.push({ binding, uri: r.uri, touched: true, removed: r.expires === 0 });
      }
    }
  }

  const put: Binding[] = [];
  const remove: string[] = [];
  const bindings: Binding[] = [];
  for (const slot of slots) {
    const storedContact = slot.stored?.contact;
    if (slot.removed) {
      if (storedContact !== undefined) remove.push(storedContact);
      continue;
    }
    bindings.push(slot.binding);
    if (!slot.touched) continue;
    if (storedContact !== undefined && storedContact !== slot.binding.contact) remove.push(storedContact);
    put.push(slot.binding);
  }
  return { ok: true, put, remove, bindings };
}
