import { SipParseError } from './errors';
import {
  formatAuthHeader,
  formatVia,
  getCallId,
  getContacts,
  getContentLength,
  getContentType,
  getCSeq,
  getExpires,
  getFrom,
  getMaxForwards,
  getOptionTags,
  getRoutes,
  getTag,
  getTo,
  getVias,
  parseAuthHeader,
  parseCSeq,
  parseSessionExpires,
  parseVia,
  setTopVia,
  splitHeaderValues,
  topVia,
} from './headers';
import { SipHeaders, SipRequest } from './sip-message';

function request(fields: Array<[string, string]>): SipRequest {
  return new SipRequest('INVITE', 'sip:bob@biloxi.com', new SipHeaders(fields.map(([name, value]) => ({ name, value }))));
}

describe('splitHeaderValues (RFC 3261 §7.3.1)', () => {
  it('splits at commas outside quotes and <>', () => {
    expect(splitHeaderValues('"Doe, John" <sip:j@d.com>, <sip:a@b;x=1,2>;q=0.5 ,sip:c@d')).toEqual([
      '"Doe, John" <sip:j@d.com>',
      '<sip:a@b;x=1,2>;q=0.5',
      'sip:c@d',
    ]);
  });

  it('ignores escaped quotes inside quoted strings and drops empty values', () => {
    expect(splitHeaderValues('"a \\", b" <sip:x@y>,, ,c')).toEqual(['"a \\", b" <sip:x@y>', 'c']);
  });
});

describe('Via (RFC 3261 §20.42, RFC 3581)', () => {
  it('reads protocol, transport, sent-by and parameters with LWS anywhere allowed', () => {
    const [a, b] = parseVia('SIP / 2.0 / tcp  spindle.example.com:5061 ; branch = z9hG4bK9ikj8 ; received=192.0.2.1 ; rport=5062, SIP/2.0/UDP [2001:db8::1];rport');
    expect(a).toMatchObject({ protocol: 'SIP/2.0', transport: 'TCP', host: 'spindle.example.com', port: 5061 });
    expect(a.branch).toBe('z9hG4bK9ikj8');
    expect(a.received).toBe('192.0.2.1');
    expect(a.rport).toBe(5062);
    expect(b.host).toBe('[2001:db8::1]');
    expect(b.rport).toBeNull();
  });

  it('accepts an unbracketed IPv6 received value', () => {
    expect(parseVia('SIP/2.0/UDP h;received=2001:db8::9;branch=z9hG4bKx')[0].received).toBe('2001:db8::9');
  });

  it.each([
    ['empty parameters and values', 'SIP/2.0/UDP 192.0.2.15;;,;,,'],
    ['a missing transport', 'SIP/2.0 host'],
    ['no space before sent-by', 'SIP/2.0/UDPhost'],
    ['a port out of range', 'SIP/2.0/UDP host:70000'],
    ['a bad rport', 'SIP/2.0/UDP host;rport=abc'],
    ['a branch without value', 'SIP/2.0/UDP host;branch'],
    ['a trailing comma', 'SIP/2.0/UDP host;branch=z9hG4bK1,'],
  ])('rejects %s', (_what, value) => {
    expect(() => parseVia(value)).toThrow(SipParseError);
  });

  it('formats with the typed fields taking precedence over params', () => {
    const [via] = parseVia('SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;rport;x=y');
    via.received = '203.0.113.5';
    via.rport = 40000;
    expect(formatVia(via)).toBe('SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;rport=40000;x=y;received=203.0.113.5');
    via.received = undefined;
    via.rport = undefined;
    expect(formatVia(via)).toBe('SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;x=y');
  });

  it('gets all Vias across lines, the top one, and replaces the top one in place', () => {
    const msg = request([
      ['v', 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2'],
      ['To', '<sip:bob@biloxi.com>'],
      ['Via', 'SIP/2.0/UDP c.example.com;branch=z9hG4bK3'],
    ]);
    expect(getVias(msg).map((v) => v.host)).toEqual(['a.example.com', 'b.example.com', 'c.example.com']);
    const top = topVia(msg);
    expect(top.host).toBe('a.example.com');
    top.received = '198.51.100.7';
    setTopVia(msg, top);
    expect(msg.headers.list()[0]).toEqual({
      name: 'v',
      value: 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1;received=198.51.100.7, SIP/2.0/TCP b.example.com;branch=z9hG4bK2',
    });
    expect(() => topVia(request([]))).toThrow('Missing Via');
  });

  it('reads the top Via leniently when only its parameters are broken', () => {
    const via = topVia(request([['Via', 'SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKa;;,;,,']]));
    expect(via.host).toBe('192.0.2.15');
    expect(via.branch).toBe('z9hG4bKa');
  });
});

describe('CSeq, Call-ID, From/To, Max-Forwards, Expires, Content-*', () => {
  it('parses CSeq with leading zeros and folded LWS, up to 2^32-1', () => {
    expect(parseCSeq('0009   INVITE')).toEqual({ seq: 9, method: 'INVITE' });
    expect(parseCSeq('4294967295 ACK').seq).toBe(4294967295);
    expect(() => parseCSeq('4294967296 ACK')).toThrow('Invalid CSeq');
    expect(() => parseCSeq('-1 ACK')).toThrow('Invalid CSeq');
    expect(() => parseCSeq('1')).toThrow('Invalid CSeq');
    expect(() => parseCSeq('1 IN VITE')).toThrow('Invalid CSeq');
  });

  it('reads typed values from a message', () => {
    const msg = request([
      ['f', '"A" <sip:a@atlanta.com>;tag=abc'],
      ['t', 'sip:b@biloxi.com'],
      ['i', 'call-1@atlanta.com'],
      ['CSeq', '7 INVITE'],
      ['Max-Forwards', '70'],
      ['Expires', '3600'],
      ['l', '12'],
      ['c', 'Application/SDP ; charset=utf-8'],
    ]);
    expect(getTag(getFrom(msg))).toBe('abc');
    expect(getTag(getTo(msg))).toBeUndefined();
    expect(getCallId(msg)).toBe('call-1@atlanta.com');
    expect(getCSeq(msg)).toEqual({ seq: 7, method: 'INVITE' });
    expect(getMaxForwards(msg)).toBe(70);
    expect(getExpires(msg)).toBe(3600);
    expect(getContentLength(msg)).toBe(12);
    expect(getContentType(msg)).toBe('application/sdp');
  });

  it('names what is missing or invalid', () => {
    const empty = request([]);
    expect(() => getCallId(empty)).toThrow('Missing Call-ID');
    expect(() => getFrom(empty)).toThrow('Missing From');
    expect(() => getTo(empty)).toThrow('Missing To');
    expect(() => getCSeq(empty)).toThrow('Missing CSeq');
    expect(getMaxForwards(empty)).toBeUndefined();
    expect(getExpires(empty)).toBeUndefined();
    expect(() => getMaxForwards(request([['Max-Forwards', '256']]))).toThrow('Invalid Max-Forwards');
    expect(() => getExpires(request([['Expires', '1'.padEnd(30, '0')]]))).toThrow('Invalid Expires');
  });
});

describe('Contact, Route, option tags', () => {
  it('collects contacts across lines and recognises "*"', () => {
    const msg = request([
      ['Contact', '<sip:a@1.2.3.4>;expires=60, "B" <sip:b@5.6.7.8>'],
      ['m', 'sip:c@9.9.9.9;q=0.5'],
    ]);
    const contacts = getContacts(msg);
    expect(contacts).not.toBe('*');
    expect((contacts as Array<{ uri: { user?: string } }>).map((c) => c.uri.user)).toEqual(['a', 'b', 'c']);
    expect(getContacts(request([['Contact', ' * ']]))).toBe('*');
    expect(getContacts(request([]))).toEqual([]);
  });

  it('reads Route and Record-Route in order', () => {
    const msg = request([
      ['Record-Route', '<sip:p1.example.com;lr>, <sip:p2.example.com;lr>'],
      ['Route', '<sip:p3.example.com;lr>'],
      ['Record-Route', '<sip:p4.example.com;lr>'],
    ]);
    expect(getRoutes(msg, 'record-route').map((r) => r.uri.host)).toEqual(['p1.example.com', 'p2.example.com', 'p4.example.com']);
    expect(getRoutes(msg, 'route').map((r) => r.uri.host)).toEqual(['p3.example.com']);
  });

  it('lists option tags and methods across lines', () => {
    const msg = request([
      ['Supported', 'timer, replaces'],
      ['k', '100rel'],
      ['Allow', 'INVITE,ACK , BYE'],
    ]);
    expect(getOptionTags(msg, 'supported')).toEqual(['timer', 'replaces', '100rel']);
    expect(getOptionTags(msg, 'allow')).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(getOptionTags(msg, 'require')).toEqual([]);
  });
});

describe('Authorization / WWW-Authenticate (RFC 7616)', () => {
  it('parses credentials, unquoting and unescaping values', () => {
    const auth = parseAuthHeader(
      'Digest username="bob", Realm="biloxi.com",nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:bob@biloxi.com", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", algorithm=SHA-256, opaque="a \\"q\\" b"',
    );
    expect(auth.scheme).toBe('Digest');
    expect(auth.params.get('realm')).toBe('biloxi.com');
    expect(auth.params.get('qop')).toBe('auth');
    expect(auth.params.get('nc')).toBe('00000001');
    expect(auth.params.get('algorithm')).toBe('SHA-256');
    expect(auth.params.get('opaque')).toBe('a "q" b');
  });

  it('formats a challenge and reads it back', () => {
    const text = formatAuthHeader('Digest', { realm: 'mcu', nonce: 'abc', algorithm: 'MD5', qop: 'auth', stale: 'true' }, ['realm', 'nonce', 'qop']);
    expect(text).toBe('Digest realm="mcu", nonce="abc", algorithm=MD5, qop="auth", stale=true');
    expect(parseAuthHeader(text).params.get('qop')).toBe('auth');
  });

  it.each(['', 'Digest realm', 'Digest realm="x', 'Digest realm="x" nonce="y"', 'Digest =x'])('rejects %j', (value) => {
    expect(() => parseAuthHeader(value)).toThrow(SipParseError);
  });
});

describe('Session-Expires (RFC 4028 §4)', () => {
  it('reads delta-seconds and refresher', () => {
    expect(parseSessionExpires('1800')).toEqual({ deltaSeconds: 1800 });
    expect(parseSessionExpires('1800 ; refresher = UAS ; x=1')).toEqual({ deltaSeconds: 1800, refresher: 'uas' });
    expect(() => parseSessionExpires('soon')).toThrow('Invalid Session-Expires');
    expect(() => parseSessionExpires('90;refresher=proxy')).toThrow('Invalid Session-Expires');
  });
});
