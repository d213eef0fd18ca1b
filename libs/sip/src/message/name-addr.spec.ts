import { SipParseError } from './errors';
import { formatNameAddr, parseNameAddr } from './name-addr';

describe('parseNameAddr (RFC 3261 §20.10, §25.1)', () => {
  it('reads a quoted display name, the URI and header parameters', () => {
    const na = parseNameAddr('"Alice \\"A\\" Liddell" <sip:alice@atlanta.com;transport=tcp>;tag=1928301774;expires=60');
    expect(na.displayName).toBe('Alice "A" Liddell');
    expect(na.uri.user).toBe('alice');
    expect(na.uri.params.get('transport')).toBe('tcp');
    expect([...na.params]).toEqual([
      ['tag', '1928301774'],
      ['expires', '60'],
    ]);
  });

  it('reads an unquoted token display name, with or without space before <', () => {
    expect(parseNameAddr('Bob Smith <sip:bob@biloxi.com>').displayName).toBe('Bob Smith');
    expect(parseNameAddr('caller<sip:caller@example.com>;tag=323').displayName).toBe('caller');
  });

  it('gives parameters after an addr-spec to the header, not the URI (§20.10)', () => {
    const na = parseNameAddr('sip:+12125551212@server.phone2net.com;tag=887s');
    expect(na.uri.params.size).toBe(0);
    expect(na.params.get('tag')).toBe('887s');
    expect(na.displayName).toBeUndefined();
  });

  it('keeps quoted parameter values with their quotes', () => {
    const na = parseNameAddr('<sip:a@b>;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";reg-id=1');
    expect(na.params.get('+sip.instance')).toBe('"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"');
  });

  it.each([
    ['unterminated quoted string', '"Mr. J. User <sip:j.user@example.com>', 'unterminated quoted string'],
    ['whitespace inside <>', '"Watson, Thomas" < sip:t.watson@example.org >', 'whitespace inside <>'],
    ['unquoted display name with a comma', 'Bell, Alexander <sip:a.g.bell@example.com>;tag=43', 'unquoted display name'],
    ['headers in an addr-spec', 'sip:user@example.com?Route=%3Csip:sip.example.com%3E', 'must be enclosed in <>'],
    ['empty parameters', '"Joe" <sip:joe@example.org>;;;;', 'empty parameter'],
    ['a missing >', '<sip:joe@example.org', 'missing >'],
    ['a bad URI', '<sip:joe@exa mple.org>', 'malformed URI'],
  ])('rejects %s', (_what, value, detail) => {
    let err: unknown;
    try {
      parseNameAddr(value, 'To');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SipParseError);
    expect((err as SipParseError).reason).toContain('Invalid To');
    expect((err as SipParseError).reason).toContain(detail);
  });
});

describe('formatNameAddr', () => {
  it('always writes <> and a quoted display name', () => {
    expect(formatNameAddr(parseNameAddr('sip:bob@biloxi.com;tag=a'))).toBe('<sip:bob@biloxi.com>;tag=a');
    expect(formatNameAddr(parseNameAddr('Bob <sip:bob@biloxi.com>'))).toBe('"Bob" <sip:bob@biloxi.com>');
    expect(formatNameAddr(parseNameAddr('"Bell, Alexander" <sip:a@b>'))).toBe('"Bell, Alexander" <sip:a@b>');
    expect(formatNameAddr(parseNameAddr('"J \\"R\\"" <sip:a@b>'))).toBe('"J \\"R\\"" <sip:a@b>');
  });

  it('round-trips', () => {
    const text = '"Alice" <sip:alice@atlanta.com;lr>;tag=x;expires=3600';
    expect(formatNameAddr(parseNameAddr(text))).toBe(text);
  });
});
