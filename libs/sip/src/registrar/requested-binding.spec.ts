import { parseNameAddr } from '../message';
import { readDeltaSeconds, readRequestedBindings, type ExpiryPolicy } from './requested-binding';

const policy: ExpiryPolicy = { minExpires: 60, maxExpires: 3600, defaultExpires: 1800 };

describe('readDeltaSeconds (RFC 3261 §20.10, §20.19)', () => {
  it.each([
    [undefined, undefined],
    ['0', 0],
    [' 120 ', 120],
    ['"300"', 300],
    ['4294967296', 4294967295],
    ['99999999999999999999999', 4294967295],
    [null, 3600],
    ['', 3600],
    ['-5', 3600],
    ['Thu, 01 Dec 1994 16:00:00 GMT', 3600],
  ])('%p → %p', (value, seconds) => {
    expect(readDeltaSeconds(value)).toBe(seconds);
  });
});

describe('readRequestedBindings (RFC 3261 §10.2.1.1, §10.3 step 6)', () => {
  const read = (contacts: string[], headerExpires?: number) =>
    readRequestedBindings(contacts.map((c) => parseNameAddr(c, 'Contact')), headerExpires, policy);

  it('prefers the Contact expires, then the Expires header, then the default; caps at the maximum', () => {
    const r = read(['<sip:a@h>;expires=90', '<sip:b@h>', '<sip:c@h>;expires=7200'], 600);
    expect(r.ok && r.bindings.map((b) => [b.contact, b.expires])).toEqual([
      ['sip:a@h', 90],
      ['sip:b@h', 600],
      ['sip:c@h', 3600],
    ]);
    const d = read(['<sip:a@h>']);
    expect(d.ok && d.bindings[0].expires).toBe(1800);
  });

  it('answers 423 for 0 < interval < minimum, but lets 0 through', () => {
    expect(read(['<sip:a@h>;expires=59'])).toEqual({ ok: false, status: 423, minExpires: 60 });
    expect(read(['<sip:a@h>'], 1)).toEqual({ ok: false, status: 423, minExpires: 60 });
    const zero = read(['<sip:a@h>'], 0);
    expect(zero.ok && zero.bindings[0].expires).toBe(0);
  });

  it('reads q and +sip.instance, and refuses a malformed q', () => {
    const r = read(['<sip:a@h>;q=0.125;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"', '<sip:b@h>;q=1.0']);
    expect(r.ok && r.bindings.map((b) => [b.q, b.instanceId])).toEqual([
      [0.125, 'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6'],
      [1, undefined],
    ]);
    for (const q of ['1.5', '0.1234', 'x', '']) {
      expect(read([`<sip:a@h>;q=${q === '' ? '""' : q}`])).toEqual({ ok: false, status: 400, reason: 'Invalid Contact q' });
    }
    expect(read(['<sip:a@h>;q'])).toEqual({ ok: false, status: 400, reason: 'Invalid Contact q' });
  });
});
