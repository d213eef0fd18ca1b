import { looksLikeRoomId } from './room';

/** What a dial string designates. */
export type DialTarget =
  | { readonly kind: 'number'; readonly number: string; readonly pin?: string }
  | { readonly kind: 'id'; readonly id: string; readonly pin?: string }
  | { readonly kind: 'name'; readonly name: string };

/**
 * Classifies a dial string — the unescaped user part of a SIP Request-URI (RFC 3261 §19.1.2) or an
 * H.323 alias:
 *
 * - `"<digits>"` or `"<digits>*<pin digits>"` → a room number (with a PIN);
 * - `"<room id>"` or `"<room id>*<pin digits>"` → a room id;
 * - anything else (trimmed, non-empty) → a room name.
 *
 * A name made only of digits is therefore reachable by its room's number, not by itself.
 *
 * @returns `undefined` for an empty (or all-blank) string.
 */
export function parseDialString(dial: string): DialTarget | undefined {
  const text = dial.trim();
  if (text === '') return undefined;
  const numbered = /^(\d+)(?:\*(\d+))?$/.exec(text);
  if (numbered !== null) {
    const [, number = '', pin] = numbered;
    return pin === undefined ? { kind: 'number', number } : { kind: 'number', number, pin };
  }
  const star = text.lastIndexOf('*');
  const idPart = star > 0 && /^\d+$/.test(text.slice(star + 1)) ? text.slice(0, star) : text;
  if (looksLikeRoomId(idPart.toLowerCase())) {
    const id = idPart.toLowerCase();
    return idPart === text ? { kind: 'id', id } : { kind: 'id', id, pin: text.slice(star + 1) };
  }
  return { kind: 'name', name: text };
}
