import { parseUri } from '../message';
import type { Binding } from './binding-store';
import { planBindingUpdate, type BindingUpdateContext } from './binding-update';
import type { RequestedBinding } from './requested-binding';

const NOW = 1_000_000;
const ctx: BindingUpdateContext = { aor: 'sip:alice@mcu.example', callId: 'c1', cseq: 5, now: NOW, source: 'TCP:192.0.2.1:5060' };

function stored(contact: string, o: Partial<Binding> = {}): Binding {
  return { aor: ctx.aor, contact, expiresAt: NOW + 60_000, callId: 'c1', cseq: 4, source: 'UDP:192.0.2.1:5060', ...o };
}

function wanted(contact: string, expires: number): RequestedBinding {
  return { uri: parseUri(contact), contact, expires };
}

describe('planBindingUpdate (RFC 3261 §10.3 steps 6–7)', () => {
  it('adds new bindings and leaves untouched ones alone', () => {
    const plan = planBindingUpdate([stored('sip:a@h')], [wanted('sip:b@h', 60)], ctx);
    expect(plan).toEqual({
      ok: true,
      put: [{ aor: ctx.aor, contact: 'sip:b@h', expiresAt: NOW + 60_000, callId: 'c1', cseq: 5, source: ctx.source }],
      remove: [],
      bindings: [stored('sip:a@h'), expect.objectContaining({ contact: 'sip:b@h' })],
    });
  });

  it('ignores a new Contact with interval 0 and removes an existing one', () => {
    const plan = planBindingUpdate([stored('sip:a@h')], [wanted('sip:a@h', 0), wanted('sip:b@h', 0)], ctx);
    expect(plan).toEqual({ ok: true, put: [], remove: ['sip:a@h'], bindings: [] });
  });

  it('replaces a binding written differently: removes the old text, writes the new', () => {
    const plan = planBindingUpdate([stored('sip:a@H.example;transport=tcp')], [wanted('sip:a@h.example;transport=TCP', 60)], ctx);
    expect(plan.ok && plan.remove).toEqual(['sip:a@H.example;transport=tcp']);
    expect(plan.ok && plan.put.map((b) => b.contact)).toEqual(['sip:a@h.example;transport=TCP']);
  });

  it('lets a later Contact of the same request override an earlier one without the CSeq check', () => {
    const plan = planBindingUpdate([], [wanted('sip:a@h', 60), wanted('sip:a@h', 120)], ctx);
    expect(plan.ok && plan.put.map((b) => b.expiresAt)).toEqual([NOW + 120_000]);
  });

  it('aborts on a same-Call-ID binding with an equal or higher CSeq, for Contacts and for *', () => {
    for (const cseq of [5, 6]) {
      expect(planBindingUpdate([stored('sip:a@h', { cseq })], [wanted('sip:a@h', 60)], ctx)).toEqual({
        ok: false,
        reason: 'out-of-order',
        contact: 'sip:a@h',
      });
      expect(planBindingUpdate([stored('sip:a@h', { cseq })], '*', ctx)).toMatchObject({ ok: false });
    }
    expect(planBindingUpdate([stored('sip:a@h', { cseq: 9, callId: 'other' })], [wanted('sip:a@h', 60)], ctx)).toMatchObject({ ok: true });
  });

  it('removes everything with *, ignoring bindings already expired', () => {
    const plan = planBindingUpdate([stored('sip:a@h'), stored('sip:b@h', { callId: 'x', cseq: 99 }), stored('sip:old@h', { expiresAt: NOW, cseq: 99 })], '*', ctx);
    expect(plan).toEqual({ ok: true, put: [], remove: ['sip:a@h', 'sip:b@h'], bindings: [] });
  });
});
