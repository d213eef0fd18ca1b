import fc from 'fast-check';
import { SipParseError } from './errors';
import { getVias } from './headers';
import { parseMessage } from './parser';
import { serializeMessage } from './serializer';
import { SipRequest, SipResponse } from './sip-message';

const CRLF = '\r\n';
const INVITE_HEAD = [
  'INVITE sip:bob@biloxi.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.com>',
  'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.com>',
];

function wire(head: string[], body = '', contentLength: number | null = Buffer.byteLength(body)): Buffer {
  const lines = contentLength === null ? head : [...head, `Content-Length: ${contentLength}`];
  return Buffer.from(lines.join(CRLF) + CRLF + CRLF + body, 'utf8');
}

function errorOf(data: Buffer): SipParseError {
  try {
    parseMessage(data);
  } catch (e) {
    if (e instanceof SipParseError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('parseMessage: requests and responses', () => {
  it('parses a request with a body as bytes', () => {
    const body = 'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n\x00\xff';
    const m = parseMessage(wire([...INVITE_HEAD, 'Content-Type: application/sdp'], body));
    expect(m).toBeInstanceOf(SipRequest);
    const r = m as SipRequest;
    expect(r.method).toBe('INVITE');
    expect(r.uri).toBe('sip:bob@biloxi.com');
    expect(r.version).toBe('SIP/2.0');
    expect(r.body.equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(r.headers.get('call-id')).toBe('a84b4c76e66710@pc33.atlanta.com');
  });

  it('parses a response with its reason phrase', () => {
    const m = parseMessage(
      wire([
        'SIP/2.0 180 Ringing Now',
        'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds;received=192.0.2.1',
        'To: Bob <sip:bob@biloxi.com>;tag=a6c85cf',
        'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
        'Call-ID: a84b4c76e66710@pc33.atlanta.com',
        'CSeq: 314159 INVITE',
      ]),
    );
    expect(m).toBeInstanceOf(SipResponse);
    expect((m as SipResponse).status).toBe(180);
    expect((m as SipResponse).reason).toBe('Ringing Now');
  });

  it('unfolds continuation lines, keeps names as written and finds compact forms', () => {
    const m = parseMessage(wire([...INVITE_HEAD, 'Subject: I know you\'re there,', '   pick up the phone', '\t  and talk to me!', 'k: timer']));
    expect(m.headers.get('subject')).toBe("I know you're there, pick up the phone and talk to me!");
    expect(m.headers.get('Supported')).toBe('timer');
    expect(m.headers.list().at(-2)).toEqual({ name: 'k', value: 'timer' });
  });

  it('skips CRLFs before the start line (RFC 3261 §7.5) and accepts bare LF line ends', () => {
    const lf = Buffer.from('\r\n\r\n' + [...INVITE_HEAD, 'Content-Length: 2'].join('\n') + '\n\nhi');
    const m = parseMessage(lf) as SipRequest;
    expect(m.method).toBe('INVITE');
    expect(m.body.toString()).toBe('hi');
  });

  it('truncates a datagram body at Content-Length and reads to the end without it (§18.3)', () => {
    expect(parseMessage(wire(INVITE_HEAD, 'abcdef', 3)).body.toString()).toBe('abc');
    expect(parseMessage(wire(INVITE_HEAD, 'abcdef', null)).body.toString()).toBe('abcdef');
  });

  it('accepts a message without the empty line after the headers', () => {
    const m = parseMessage(Buffer.from([...INVITE_HEAD, 'Content-Length: 0'].join(CRLF) + CRLF));
    expect(m.body.length).toBe(0);
  });
});

describe('parseMessage: rejections', () => {
  const cases: Array<[string, Buffer, number, string, boolean]> = [
    ['empty datagram', Buffer.from('\r\n\r\n'), 400, 'Empty message', false],
    ['body shorter than Content-Length', wire(INVITE_HEAD, 'abc', 10), 400, 'Content-Length larger than message body', true],
    ['non-numeric Content-Length', wire([...INVITE_HEAD, 'Content-Length: five'], '', null), 400, 'Invalid Content-Length', true],
    ['SIP/3.0', Buffer.from(wire(INVITE_HEAD).toString().replace('SIP/2.0\r\n', 'SIP/3.0\r\n')), 505, 'Version Not Supported', true],
    ['garbage version', Buffer.from(wire(INVITE_HEAD).toString().replace('SIP/2.0\r\n', 'HTTP/1.1\r\n')), 400, 'invalid SIP-Version', true],
    ['an unknown Request-URI scheme', Buffer.from(wire(INVITE_HEAD).toString().replace('sip:bob@biloxi.com SIP', 'im:bob@biloxi.com SIP')), 416, 'Unsupported URI Scheme', true],
    ['no Via', wire(INVITE_HEAD.filter((l) => !l.startsWith('Via'))), 400, 'Missing Via', false],
    ['an unreadable Via', wire(INVITE_HEAD.map((l) => (l.startsWith('Via') ? 'Via: garbage' : l))), 400, 'Invalid Via', false],
    ['two Call-IDs', wire([...INVITE_HEAD, 'i: other@x']), 400, 'Multiple Call-ID values', true],
    ['Max-Forwards 256', wire(INVITE_HEAD.map((l) => (l.startsWith('Max') ? 'Max-Forwards: 256' : l))), 400, 'Invalid Max-Forwards', true],
    ['a header line without colon', wire([...INVITE_HEAD, 'NoColonHere']), 400, 'Malformed header line', true],
    ['a header name with spaces', wire([...INVITE_HEAD, 'Bad Name: x']), 400, 'Malformed header line', true],
    ['an unparsable start line', Buffer.from('\x01\x02\x03\r\n\r\n'), 400, 'Malformed Request-Line', false],
    ['a response status of 99', Buffer.from('SIP/2.0 099 Low\r\n\r\n'), 400, 'Invalid status code', false],
    ['a response without To', wire(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1', 'Call-ID: x', 'CSeq: 1 INVITE']), 400, 'Missing To', false],
  ];

  it.each(cases)('rejects %s', (_what, data, status, reason, respondable) => {
    const err = errorOf(data);
    expect(err.status).toBe(status);
    expect(err.reason).toContain(reason);
    expect(err.respondable).toBe(respondable);
    expect(err.partial !== undefined).toBe(respondable);
  });
});

describe('parseMessage: hostile input', () => {
  it('throws only SipParseError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        try {
          parseMessage(Buffer.from(bytes));
        } catch (e) {
          if (!(e instanceof SipParseError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('throws only SipParseError on mutations of a valid message', () => {
    const base = wire([...INVITE_HEAD, 'Content-Type: application/sdp'], 'v=0\r\n');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.constantFrom(0, 9, 10, 13, 32, 34, 44, 58, 59, 60, 62, 64, 92, 255)), {
          minLength: 1,
          maxLength: 6,
        }),
        (edits) => {
          const data = Buffer.from(base);
          for (const [at, byte] of edits) data[at] = byte;
          try {
            const m = parseMessage(data);
            // Whatever parsed must serialize and parse again.
            parseMessage(serializeMessage(m));
          } catch (e) {
            if (!(e instanceof SipParseError)) throw e;
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('handles very long header values in linear time without errors', () => {
    const huge = 'a'.repeat(200_000);
    const m = parseMessage(wire([...INVITE_HEAD, `X-Long: ${huge}`, `Via: SIP/2.0/UDP h;branch=z9hG4bK${'x'.repeat(50_000)}`]));
    expect(m.headers.get('x-long')?.length).toBe(200_000);
    expect(getVias(m)).toHaveLength(2);
    expect(() => parseMessage(wire(INVITE_HEAD.map((l) => (l.startsWith('To') ? `To: "${'\\'.repeat(100_001)}` : l))))).toThrow(SipParseError);
  });
});
