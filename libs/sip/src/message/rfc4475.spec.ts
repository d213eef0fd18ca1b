/**
 * RFC 4475 torture tests: every message of §3.1.1, §3.1.2, §3.2, §3.3 and §3.4, from fixtures/rfc4475.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SipParseError } from './errors';
import {
  getCallId,
  getContacts,
  getCSeq,
  getFrom,
  getMaxForwards,
  getOptionTags,
  getRoutes,
  getTo,
  getVias,
  parseAuthHeader,
  topVia,
} from './headers';
import { parseMessage } from './parser';
import { createResponse } from './response-factory';
import { serializeMessage } from './serializer';
import { SipRequest, SipResponse, type SipMessage } from './sip-message';
import { parseUri, uriEquals } from './uri';

const DIR = join(__dirname, 'fixtures', 'rfc4475');
const load = (name: string): Buffer => readFileSync(join(DIR, `${name}.dat`));
const req = (name: string): SipRequest => {
  const m = parseMessage(load(name));
  if (!(m instanceof SipRequest)) throw new Error(`${name} is not a request`);
  return m;
};
const res = (name: string): SipResponse => {
  const m = parseMessage(load(name));
  if (!(m instanceof SipResponse)) throw new Error(`${name} is not a response`);
  return m;
};
const parseError = (name: string): SipParseError => {
  try {
    parseMessage(load(name));
  } catch (e) {
    if (e instanceof SipParseError) return e;
    throw e;
  }
  throw new Error(`${name} parsed without error`);
};

/** Messages the parser accepts: §3.1.1, §3.2, §3.3 (all but the ones rejected below) and §3.4. */
const ACCEPTED = [
  'wsinv', 'intmeth', 'esc01', 'escnull', 'esc02', 'lwsdisp', 'longreq', 'dblreq', 'semiuri', 'transports',
  'mpart01', 'unreason', 'noreason', // §3.1.1
  'badbranch', // §3.2.1
  'unksm2', 'bext01', 'invut', 'regaut01', 'bcast', 'zeromf', 'cparam01', 'cparam02', 'regescrt', 'sdp01', // §3.3
  'inv2543', // §3.4.1
];

/** Messages rejected by the parser: fixture → [status, reason substring, a response is possible]. */
const REJECTED: Record<string, [number, string, boolean]> = {
  badinv01: [400, 'Invalid Via: empty parameter', true], // §3.1.2.1
  clerr: [400, 'Content-Length larger than message body', true], // §3.1.2.2
  ncl: [400, 'Invalid Content-Length', true], // §3.1.2.3
  scalar02: [400, 'Invalid CSeq', true], // §3.1.2.4
  scalarlg: [400, 'Invalid CSeq', false], // §3.1.2.5 (a response: discarded)
  quotbal: [400, 'Invalid To: unterminated quoted string', true], // §3.1.2.6
  ltgtruri: [400, 'Request-URI: enclosed in <>', true], // §3.1.2.7
  lwsruri: [400, 'Request-URI: embedded whitespace', true], // §3.1.2.8
  lwsstart: [400, 'Request-Line: extra whitespace', true], // §3.1.2.9
  trws: [400, 'Request-Line: extra whitespace', true], // §3.1.2.10
  escruri: [400, 'Request-URI must not contain headers', true], // §3.1.2.11
  baddate: [400, 'Invalid Date', true], // §3.1.2.12
  regbadct: [400, 'Invalid Contact: URI with comma or ? must be enclosed in <>', true], // §3.1.2.13
  badaspec: [400, 'Invalid To: whitespace inside <>', true], // §3.1.2.14
  baddn: [400, 'Invalid To: unquoted display name', true], // §3.1.2.15
  badvers: [505, 'Version Not Supported', true], // §3.1.2.16
  mismatch01: [400, 'CSeq method does not match request method', true], // §3.1.2.17
  mismatch02: [400, 'CSeq method does not match request method', true], // §3.1.2.18
  bigcode: [400, 'Invalid status code', false], // §3.1.2.19 (a response: discarded)
  insuf: [400, 'Missing To, From, Call-ID', true], // §3.3.1
  unkscm: [416, 'Unsupported URI Scheme', true], // §3.3.2
  novelsc: [416, 'Unsupported URI Scheme', true], // §3.3.3
  multi01: [400, 'Multiple To values', true], // §3.3.8
  mcl01: [400, 'Multiple Content-Length values', true], // §3.3.9
};

describe('RFC 4475 fixtures', () => {
  it('covers every message of the RFC exactly once', () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith('.dat'))
      .map((f) => f.slice(0, -4))
      .sort();
    expect(files).toHaveLength(49);
    expect([...ACCEPTED, ...Object.keys(REJECTED)].sort()).toEqual(files);
  });

  describe.each(ACCEPTED)('%s', (name) => {
    it('parses', () => {
      expect(() => parseMessage(load(name))).not.toThrow();
    });

    it('survives parse → serialize → parse unchanged', () => {
      const first = parseMessage(load(name));
      const wire = serializeMessage(first);
      const second = parseMessage(wire);
      expect(summary(second)).toEqual(summary(first));
      expect(serializeMessage(second).equals(wire)).toBe(true);
    });
  });

  describe.each(Object.entries(REJECTED))('%s', (name, [status, reason, respondable]) => {
    it(`is rejected with ${status} "${reason}"`, () => {
      const err = parseError(name);
      expect(err.status).toBe(status);
      expect(err.reason).toContain(reason);
      expect(err.respondable).toBe(respondable);
    });

    if (respondable) {
      it('carries a partial request from which a response can be built', () => {
        const err = parseError(name);
        expect(err.partial).toBeInstanceOf(SipRequest);
        const partial = err.partial as SipRequest;
        expect(() => topVia(partial)).not.toThrow();
        const response = createResponse(partial, err.status, err.reason);
        const wire = serializeMessage(response).toString('utf8');
        expect(wire.startsWith(`SIP/2.0 ${err.status} ${err.reason}\r\n`)).toBe(true);
        for (const via of partial.headers.getAll('via')) expect(wire).toContain(`\r\nVia: ${via}\r\n`);
      });
    } else {
      it('carries no partial request', () => {
        expect(parseError(name).partial).toBeUndefined();
      });
    }
  });
});

function summary(m: SipMessage): unknown {
  return {
    start: m instanceof SipRequest ? [m.method, m.uri] : [(m as SipResponse).status, (m as SipResponse).reason],
    headers: m.headers.list().filter((h) => !/^(content-length|l)$/i.test(h.name)),
    body: m.body.toString('hex'),
  };
}

describe('RFC 4475 §3.1.1 valid messages: parsed values', () => {
  it('wsinv: folding, LWS, compact forms, escaped quotes, leading zeros', () => {
    const m = req('wsinv');
    expect(m.method).toBe('INVITE');
    expect(parseUri(m.uri).params.get('unknownparam')).toBeNull();
    const to = getTo(m);
    expect(to.uri.user).toBe('vivekg');
    expect(to.uri.host).toBe('chair-dnrc.example.com');
    expect(to.params.get('tag')).toBe('1918181833n');
    const from = getFrom(m);
    expect(from.displayName).toBe('J Rosenberg \\"');
    expect(from.params.get('tag')).toBe('98asjd8');
    expect(getMaxForwards(m)).toBe(68);
    expect(getCallId(m)).toBe('wsinv.ndaksdj@192.0.2.1');
    expect(getCSeq(m)).toEqual({ seq: 9, method: 'INVITE' });
    const vias = getVias(m);
    expect(vias.map((v) => [v.protocol, v.transport, v.host, v.branch])).toEqual([
      ['SIP/2.0', 'UDP', '192.0.2.2', '390skdjuw'],
      ['SIP/2.0', 'TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['SIP/2.0', 'UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    expect(m.headers.get('subject')).toBe('');
    expect(m.headers.get('NewFangledHeader')).toBe('newfangled value continued newfangled value');
    expect(m.headers.get('UnknownHeaderWithUnusualValue')).toBe(';;,,;;,;');
    const contacts = getContacts(m);
    expect(contacts).not.toBe('*');
    const [contact] = contacts as Exclude<typeof contacts, '*'>;
    expect(contact.displayName).toBe('Quoted string ""');
    expect([...contact.params]).toEqual([
      ['newparam', 'newvalue'],
      ['secondparam', null],
      ['q', '0.33'],
    ]);
    const [route] = getRoutes(m, 'route');
    expect(route.uri.params.get('lr')).toBeNull();
    expect(route.uri.params.get('unknownwith')).toBe('value');
    expect(m.body.length).toBe(150);
  });

  it('intmeth: unusual token characters, quoted NUL/BEL/DEL, UTF-8 values', () => {
    const m = req('intmeth');
    expect(m.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    const uri = parseUri(m.uri);
    expect(uri.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(uri.password).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    expect(uri.host).toBe('example.com');
    expect(topVia(m).branch).toBe("z9hG4bK-.!%66*_+`'~");
    expect(getTo(m).displayName).toBe('BEL:\x07 NUL:\x00 DEL:\x7f');
    const from = getFrom(m);
    expect(from.displayName).toBe("token1~` token2'+_ token3*%!.-");
    expect(from.params.get("fromparam''~+*_!.-%")).toBe('"работающий"');
    expect(from.params.get('tag')).toBe("_token~1'+`*%!-.");
    expect(getCallId(m)).toBe('intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    expect(getCSeq(m).seq).toBe(139122385);
    expect(getMaxForwards(m)).toBe(255);
    expect(m.headers.get("extensionHeader-!.%*+_`'~")).toBe('\ufeff大停電');
  });

  it('esc01: escapes in URIs are resolved', () => {
    const m = req('esc01');
    const ruri = parseUri(m.uri);
    expect(ruri.user).toBe('sips:user@example.com');
    expect(ruri.host).toBe('example.net');
    expect(getTo(m).uri.user).toBe('user');
    expect(getFrom(m).uri.user).toBe('I have spaces');
    const [contact] = getContacts(m) as Exclude<ReturnType<typeof getContacts>, '*'>;
    expect(contact.uri.user).toBe('caller');
    expect(contact.uri.params.get('lr')).toBeNull();
    expect(contact.uri.params.get('name')).toBe('value%41');
    expect(m.headers.get('content-type')).toBe('application/sdp');
    expect(uriEquals(getTo(m).uri, parseUri('sip:user@example.com'))).toBe(true);
  });

  it('escnull: %00 in the user part is kept, two distinct contacts', () => {
    const m = req('escnull');
    expect(getTo(m).uri.user).toBe('null-\x00-null');
    const contacts = getContacts(m) as Exclude<ReturnType<typeof getContacts>, '*'>;
    expect(contacts.map((c) => c.uri.user)).toEqual(['\x00', '\x00\x00']);
    expect(uriEquals(contacts[0].uri, contacts[1].uri)).toBe(false);
  });

  it('esc02: % outside URIs is not an escape', () => {
    const m = req('esc02');
    expect(m.method).toBe('RE%47IST%45R');
    expect(getTo(m).displayName).toBe('%Z%45');
    expect((getContacts(m) as unknown[]).length).toBe(2);
    expect(m.headers.get('C%6Fntact')).toBe('<sip:alias2@host2.example.com>');
  });

  it('lwsdisp: no LWS between display name and <', () => {
    expect(getFrom(req('lwsdisp')).displayName).toBe('caller');
  });

  it('longreq: long values and 34 Via fields in mixed forms', () => {
    const m = req('longreq');
    const vias = getVias(m);
    expect(vias).toHaveLength(34);
    expect(vias[0].host).toBe('sip33.example.com');
    expect(vias[33].received).toBe('192.0.2.5');
    expect(vias[33].branch).toBe(`very${'long'.repeat(50)}branchvalue`);
    expect(getTo(m).displayName).toBe(`I have a user name of ${'extreme'.repeat(10)} proportion`);
    expect(getTo(m).uri.port).toBe(6000);
    expect(getFrom(m).params.get('tag')).toBe(`12${'982'.repeat(50)}424`);
    expect(m.body.length).toBe(150);
  });

  it('dblreq: octets after Content-Length in a datagram are ignored', () => {
    const m = req('dblreq');
    expect(m.method).toBe('REGISTER');
    expect(m.body.length).toBe(0);
  });

  it('semiuri: ";" in the user part', () => {
    const uri = parseUri(req('semiuri').uri);
    expect(uri.user).toBe('user;par=u@example.net');
    expect(uri.host).toBe('example.com');
    expect(uri.params.size).toBe(0);
  });

  it('transports: unknown transports in Via', () => {
    expect(getVias(req('transports')).map((v) => v.transport)).toEqual(['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
  });

  it('mpart01: binary multipart body kept as bytes', () => {
    const m = req('mpart01');
    expect(m.body.length).toBe(553);
    expect(m.body.toString('latin1').startsWith('--7a9cbec02ceef655')).toBe(true);
    expect(topVia(m).rport).toBeNull();
  });

  it('unreason and noreason: unusual and empty reason phrases', () => {
    expect(res('unreason').reason).toBe('= 2**3 * 5**2 но сто девяносто девять - простое');
    const r = res('noreason');
    expect(r.status).toBe(100);
    expect(r.reason).toBe('');
  });
});

describe('RFC 4475 §3.2–§3.4: parsed values', () => {
  it('badbranch: a bare magic cookie is a branch value', () => {
    expect(topVia(req('badbranch')).branch).toBe('z9hG4bK');
  });

  it('unksm2: unknown schemes in To, From, Contact', () => {
    const m = req('unksm2');
    expect(getTo(m).uri.scheme).toBe('isbn');
    expect(getFrom(m).uri.scheme).toBe('http');
    expect((getContacts(m) as Array<{ uri: { scheme: string } }>)[0].uri.scheme).toBe('name');
  });

  it('bext01: Require and Proxy-Require option tags', () => {
    const m = req('bext01');
    expect(getOptionTags(m, 'require')).toEqual(['nothingSupportsThis', 'nothingSupportsThisEither']);
    expect(getOptionTags(m, 'proxy-require')).toEqual(['noProxiesSupportThis', 'norDoAnyProxiesSupportThis']);
  });

  it('regaut01: unknown authorization scheme', () => {
    const auth = parseAuthHeader(req('regaut01').headers.get('authorization') ?? '');
    expect(auth.scheme).toBe('NoOneKnowsThisScheme');
    expect(auth.params.get('opaque-data')).toBe('here');
  });

  it('bcast: response with a broadcast Via', () => {
    const r = res('bcast');
    expect(getVias(r)[1].host).toBe('255.255.255.255');
  });

  it('zeromf: Max-Forwards 0', () => {
    expect(getMaxForwards(req('zeromf'))).toBe(0);
  });

  it('cparam01/cparam02: parameter after an addr-spec belongs to the header, inside <> to the URI', () => {
    const [c1] = getContacts(req('cparam01')) as Exclude<ReturnType<typeof getContacts>, '*'>;
    expect(c1.params.get('unknownparam')).toBeNull();
    expect(c1.uri.params.size).toBe(0);
    const [c2] = getContacts(req('cparam02')) as Exclude<ReturnType<typeof getContacts>, '*'>;
    expect(c2.uri.params.get('unknownparam')).toBeNull();
    expect(c2.params.size).toBe(0);
  });

  it('regescrt: escaped header in a Contact URI', () => {
    const [c] = getContacts(req('regescrt')) as Exclude<ReturnType<typeof getContacts>, '*'>;
    expect(c.uri.headers.get('Route')).toBe('<sip:sip.example.com>');
  });

  it('inv2543: RFC 2543 syntax (no branch, no Max-Forwards, no From tag)', () => {
    const m = req('inv2543');
    expect(topVia(m).branch).toBeUndefined();
    expect(getMaxForwards(m)).toBeUndefined();
    expect(getFrom(m).params.get('tag')).toBeUndefined();
    expect(getTo(m).params.get('user')).toBe('phone');
  });
});
