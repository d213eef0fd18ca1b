/**
 * Benchmark 6(a): SIP messages parsed and serialized per second, ours against the `sip.js` package's parser,
 * on the same four messages (an INVITE with SDP, a 200 OK with SDP, a REGISTER with Authorization, a BYE).
 *
 * Ours: `parseMessage(Buffer)` (which also validates the mandatory headers) then `serializeMessage()`.
 * sip.js: decode the datagram to a string, `Parser.parseMessage(string, logger)` (its grammar parses the
 * Via, From, To, Call-ID, CSeq, Contact… headers), then `toString()` and encode to bytes, which is how sip.js
 * sends a message it received (it keeps the text; it has no serializer for incoming messages).
 *
 * Run alone: `node -r @swc-node/register bench/sip-parser.bench.ts`.
 */
import { parseMessage, serializeMessage } from '@mcu/sip';

const CRLF = '\r\n';
const lines = (...l: string[]): string => l.join(CRLF);

const SDP_OFFER = lines(
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 192.0.2.10',
  's=-',
  'c=IN IP4 192.0.2.10',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8 9 111 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:111 opus/48000/2',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=sendrecv',
  'm=video 51372 RTP/AVP 96 97',
  'a=rtpmap:96 H264/90000',
  'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1',
  'a=rtpmap:97 VP8/90000',
  'a=sendrecv',
  '',
);
const SDP_ANSWER = lines(
  'v=0',
  'o=tessera 1 1 IN IP4 192.0.2.1',
  's=-',
  'c=IN IP4 192.0.2.1',
  't=0 0',
  'm=audio 20000 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=sendrecv',
  'm=video 20002 RTP/AVP 96',
  'a=rtpmap:96 H264/90000',
  'a=sendrecv',
  '',
);

function message(head: string[], body = ''): string {
  return head.join(CRLF) + CRLF + `Content-Length: ${Buffer.byteLength(body)}` + CRLF + CRLF + body;
}

/** The benchmark set. */
export const BENCH_MESSAGES: Record<string, string> = {
  'INVITE with SDP': message(
    [
      'INVITE sip:1000@mcu.example.com SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport',
      'Max-Forwards: 70',
      'To: <sip:1000@mcu.example.com>',
      'From: "Alice" <sip:alice@example.com>;tag=1928301774',
      'Call-ID: a84b4c76e66710@pc33.example.com',
      'CSeq: 314159 INVITE',
      'Contact: <sip:alice@192.0.2.10:5060;transport=udp>',
      'Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, UPDATE, INFO, MESSAGE',
      'Supported: timer, replaces',
      'Session-Expires: 1800;refresher=uac',
      'User-Agent: Example Phone 1.0',
      'Content-Type: application/sdp',
    ],
    SDP_OFFER,
  ),
  '200 OK': message(
    [
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport=5060;received=192.0.2.10',
      'To: <sip:1000@mcu.example.com>;tag=a6c85cf',
      'From: "Alice" <sip:alice@example.com>;tag=1928301774',
      'Call-ID: a84b4c76e66710@pc33.example.com',
      'CSeq: 314159 INVITE',
      'Contact: <sip:1000@192.0.2.1:5060>',
      'Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, UPDATE, INFO, MESSAGE',
      'Supported: timer',
      'Session-Expires: 1800;refresher=uac',
      'Content-Type: application/sdp',
    ],
    SDP_ANSWER,
  ),
  'REGISTER with Authorization': message([
    'REGISTER sip:mcu.example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bKnashds7;rport',
    'Max-Forwards: 70',
    'To: "Bob" <sip:bob@mcu.example.com>',
    'From: "Bob" <sip:bob@mcu.example.com>;tag=456248',
    'Call-ID: 843817637684230@998sdasdh09',
    'CSeq: 1827 REGISTER',
    'Contact: <sip:bob@192.0.2.20:5060>;expires=3600',
    'Authorization: Digest username="bob", realm="mcu.example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
      'uri="sip:mcu.example.com", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, ' +
      'cnonce="0a4f113b", qop=auth, nc=00000001, opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    'Expires: 3600',
    'User-Agent: Example Phone 1.0',
  ]),
  BYE: message([
    'BYE sip:1000@192.0.2.1:5060 SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds10;rport',
    'Max-Forwards: 70',
    'From: "Alice" <sip:alice@example.com>;tag=1928301774',
    'To: <sip:1000@mcu.example.com>;tag=a6c85cf',
    'Call-ID: a84b4c76e66710@pc33.example.com',
    'CSeq: 314160 BYE',
    'User-Agent: Example Phone 1.0',
  ]),
};

interface SipJsParser {
  parseMessage(data: string, logger: unknown): { toString(): string } | undefined;
}

const silentLogger = { error(): void {}, warn(): void {}, log(): void {}, debug(): void {} };

/** sip.js ships ES modules only; a real dynamic import keeps it out of the CommonJS require path. */
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;

async function loadSipJsParser(): Promise<SipJsParser> {
  const mod = (await importEsm('sip.js/lib/core/messages/parser.js')) as { Parser: SipJsParser };
  return mod.Parser;
}

/** Runs `fn` over the messages round-robin for about `durationMs`; returns messages per second. */
function measure(datagrams: Buffer[], fn: (d: Buffer) => unknown, durationMs: number): number {
  for (let i = 0; i < 20000; i++) fn(datagrams[i % datagrams.length]); // warm-up
  let count = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(durationMs) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 1000; i++) fn(datagrams[(count + i) % datagrams.length]);
    count += 1000;
    elapsed = process.hrtime.bigint() - start;
  }
  return (count * 1e9) / Number(elapsed);
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(11);

/**
 * Prints, for each message and for the mixed set, messages parsed+serialized per second with our parser and
 * with sip.js's, and the ratio ours/theirs. `durationMs` is the measuring time per row and parser.
 * @throws Error when either parser fails to parse a benchmark message (the figures would be meaningless).
 */
export async function runSipParserBench(options: { durationMs?: number } = {}): Promise<void> {
  const durationMs = options.durationMs ?? 1000;
  const sipJs = await loadSipJsParser();
  const ours = (d: Buffer): Buffer => serializeMessage(parseMessage(d));
  const theirs = (d: Buffer): Buffer => {
    const m = sipJs.parseMessage(d.toString('utf8'), silentLogger);
    if (m === undefined) throw new Error('sip.js could not parse the message');
    return Buffer.from(m.toString(), 'utf8');
  };
  const sets: Array<[string, Buffer[]]> = Object.entries(BENCH_MESSAGES).map(([name, text]) => [
    name,
    [Buffer.from(text, 'utf8')],
  ]);
  sets.push(['all four, round-robin', sets.map(([, d]) => d[0])]);
  for (const [, [d]] of sets.slice(0, -1)) {
    ours(d);
    theirs(d);
  }
  console.log('SIP parser: messages parsed + serialized per second (Node ' + process.version + ')');
  console.log(`${'message'.padEnd(30)}${'ours'.padStart(11)}${'sip.js'.padStart(11)}   ours/sip.js`);
  for (const [name, datagrams] of sets) {
    const a = measure(datagrams, ours, durationMs);
    const b = measure(datagrams, theirs, durationMs);
    console.log(`${name.padEnd(30)}${fmt(a)}${fmt(b)}   ${(a / b).toFixed(2)}x`);
  }
}

if (require.main === module) {
  runSipParserBench().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
