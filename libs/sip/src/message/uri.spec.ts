import fc from 'fast-check';
import { SipParseError } from './errors';
import { formatUri, parseUri, uriEquals } from './uri';

describe('parseUri', () => {
  it('reads every part of a SIP URI (RFC 3261 §19.1.1)', () => {
    const uri = parseUri('sips:alice:secret@Atlanta.COM:5061;transport=TCP;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent');
    expect(uri).toEqual({
      scheme: 'sips',
      user: 'alice',
      password: 'secret',
      host: 'atlanta.com',
      port: 5061,
      params: new Map<string, string | null>([
        ['transport', 'TCP'],
        ['lr', null],
        ['maddr', '239.255.255.1'],
      ]),
      headers: new Map([
        ['subject', 'project x'],
        ['priority', 'urgent'],
      ]),
    });
  });

  it('keeps IPv6 references with brackets and reads the port after them', () => {
    const uri = parseUri('sip:[2001:DB8::10]:5070');
    expect(uri.host).toBe('[2001:db8::10]');
    expect(uri.port).toBe(5070);
  });

  it('lower-cases the scheme and parameter names, not the user', () => {
    const uri = parseUri('SIP:Bob@Biloxi.com;TRANSPORT=udp');
    expect(uri.scheme).toBe('sip');
    expect(uri.user).toBe('Bob');
    expect(uri.params.get('transport')).toBe('udp');
  });

  it('reads tel URIs (RFC 3966) with the number as user', () => {
    const uri = parseUri('tel:+1-201-555-0123;phone-context=example.com');
    expect(uri.scheme).toBe('tel');
    expect(uri.user).toBe('+1-201-555-0123');
    expect(uri.params.get('phone-context')).toBe('example.com');
    expect(formatUri(uri)).toBe('tel:+1-201-555-0123;phone-context=example.com');
  });

  it('keeps other schemes opaque', () => {
    const uri = parseUri('urn:service:sos');
    expect(uri.scheme).toBe('urn');
    expect(uri.opaque).toBe('service:sos');
    expect(formatUri(uri)).toBe('urn:service:sos');
  });

  it.each([
    ['no scheme', 'alice@example.com'],
    ['empty host', 'sip:alice@'],
    ['whitespace', 'sip:alice@example.com ;lr'],
    ['angle brackets', '<sip:alice@example.com>'],
    ['bad escape', 'sip:al%4gice@example.com'],
    ['port too large', 'sip:example.com:65536'],
    ['port not numeric', 'sip:example.com:50a'],
    ['empty parameter name', 'sip:example.com;=x'],
    ['header without "="', 'sip:example.com?subject'],
    ['unterminated IPv6 reference', 'sip:[2001:db8::1'],
    ['invalid host character', 'sip:exa$mple.com'],
  ])('rejects %s', (_what, text) => {
    expect(() => parseUri(text)).toThrow(SipParseError);
  });
});

describe('formatUri', () => {
  it('re-escapes each component with its own rules (RFC 3261 §25.1)', () => {
    const uri = parseUri('sip:sips%3Auser%40example.com@example.net;name=v%61lue%25%34%31?Route=%3Csip:example.com%3E');
    expect(uri.user).toBe('sips:user@example.com');
    expect(uri.params.get('name')).toBe('value%41');
    expect(uri.headers.get('Route')).toBe('<sip:example.com>');
    expect(formatUri(uri)).toBe('sip:sips%3Auser%40example.com@example.net;name=value%2541?Route=%3Csip:example.com%3E');
  });

  it('escapes NUL and non-ASCII as UTF-8 octets', () => {
    expect(formatUri({ scheme: 'sip', user: 'a\x00é', host: 'h', params: new Map(), headers: new Map() })).toBe(
      'sip:a%00%C3%A9@h',
    );
  });

  it('escapes any user, password, parameter and header text so that it parses back unchanged', () => {
    const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(text, fc.option(text, { nil: undefined }), text, text, text, (user, password, pvalue, hname, hvalue) => {
        const uri = {
          scheme: 'sip',
          user,
          password,
          host: 'example.com',
          params: new Map<string, string | null>([['x', pvalue]]),
          headers: new Map([[hname, hvalue]]),
        };
        const back = parseUri(formatUri(uri));
        expect(back.user).toBe(user);
        expect(back.password).toBe(password);
        expect(back.params.get('x')).toBe(pvalue);
        expect(back.headers.get(hname)).toBe(hvalue);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips through parseUri', () => {
    for (const text of [
      'sip:alice@atlanta.com',
      'sip:alice:pw@atlanta.com:5060;transport=tcp;lr',
      'sip:user;par=u%40example.net@example.com',
      'sip:[::1]:5060;maddr=[::1]',
      'sips:%00@host5.example.com',
    ]) {
      expect(formatUri(parseUri(text))).toBe(text);
    }
  });
});

describe('uriEquals (RFC 3261 §19.1.4)', () => {
  const eq = (a: string, b: string): boolean => uriEquals(parseUri(a), parseUri(b));

  it.each([
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;newparam=5'],
    ['sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com', 'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com'],
    ['sip:alice@atlanta.com?subject=project%20x&priority=urgent', 'sip:alice@atlanta.com?priority=urgent&subject=project%20x'],
  ])('%s equals %s', (a, b) => {
    expect(eq(a, b)).toBe(true);
    expect(eq(b, a)).toBe(true);
  });

  it.each([
    ['sip:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'],
    ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'],
    ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off'],
    ['sip:alice@atlanta.com', 'sips:alice@atlanta.com'],
  ])('%s differs from %s', (a, b) => {
    expect(eq(a, b)).toBe(false);
    expect(eq(b, a)).toBe(false);
  });
});
