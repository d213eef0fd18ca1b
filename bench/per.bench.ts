/**
 * Benchmark: aligned-PER decode and encode operations per second (X.691 codec of @mcu/h323) on real PDUs of the
 * H323Plus reference captures (the hex fixture of libs/h323/src/asn1/fixtures/capture-pdus.json):
 * - a Setup (H323-UserInformation with fastStart proposals and parallel H.245 in the Setup-UUIE),
 * - a TerminalCapabilitySet (MultimediaSystemControlMessage on the separate H.245 channel; plus the 1 kB one of
 *   the video call, tunnelled),
 * - an OpenLogicalChannel (MultimediaSystemControlMessage on the separate H.245 channel).
 *
 * Each message is decoded and encoded for about a second after a warm-up; the figures are operations per second
 * for decode alone, encode alone, and decode+encode (one round trip).
 *
 * Run alone: `node -r @swc-node/register bench/per.bench.ts`.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { decode, encode, H225, H245, type H225Types, type H245Types, type PerType } from '@mcu/h323';

interface CapturePdu {
  capture: string;
  frame: number;
  type: string;
  hex: string;
}

interface Sample {
  label: string;
  type: PerType<unknown>;
  bytes: Buffer;
}

const FIXTURE = join(__dirname, '..', 'libs', 'h323', 'src', 'asn1', 'fixtures', 'capture-pdus.json');

function loadSamples(): Sample[] {
  const pdus = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { pdus: CapturePdu[] }).pdus;
  const bytesOf = (p: CapturePdu): Buffer => Buffer.from(p.hex, 'hex');
  const setup = pdus.find((p) => {
    if (p.type !== 'H323-UserInformation') return false;
    const body = decode(H225.H323_UserInformation, bytesOf(p))['h323-uu-pdu']['h323-message-body'];
    return body.tag === 'setup' && (body.value.fastStart?.length ?? 0) > 0;
  });
  const h245 = pdus.filter((p) => p.type === 'MultimediaSystemControlMessage');
  const requestTag = (p: CapturePdu): string | undefined => {
    const message = decode(H245.MultimediaSystemControlMessage, bytesOf(p));
    return message.tag === 'request' ? message.value.tag : undefined;
  };
  const tcs = h245.find((p) => requestTag(p) === 'terminalCapabilitySet');
  const olc = h245.find((p) => requestTag(p) === 'openLogicalChannel');
  const videoTcs = largestTunnelledTcs(pdus.filter((p) => p.capture.includes('video')).map(bytesOf));
  if (setup === undefined || tcs === undefined || olc === undefined || videoTcs === undefined) {
    throw new Error(`capture fixture ${FIXTURE} lacks a Setup, TerminalCapabilitySet or OpenLogicalChannel`);
  }
  return [
    { label: 'Setup UUIE (H323-UserInformation)', type: H225.H323_UserInformation, bytes: bytesOf(setup) },
    { label: 'TerminalCapabilitySet (audio)', type: H245.MultimediaSystemControlMessage, bytes: bytesOf(tcs) },
    { label: 'TerminalCapabilitySet (audio+video)', type: H245.MultimediaSystemControlMessage, bytes: videoTcs },
    { label: 'OpenLogicalChannel', type: H245.MultimediaSystemControlMessage, bytes: bytesOf(olc) },
  ];
}

function largestTunnelledTcs(userInformation: Buffer[]): Buffer | undefined {
  let best: Buffer | undefined;
  for (const bytes of userInformation) {
    const info: H225Types.H323_UserInformation = decode(H225.H323_UserInformation, bytes);
    for (const tunnelled of info['h323-uu-pdu'].h245Control ?? []) {
      const message: H245Types.MultimediaSystemControlMessage = decode(H245.MultimediaSystemControlMessage, tunnelled);
      if (message.tag === 'request' && message.value.tag === 'terminalCapabilitySet') {
        if (best === undefined || tunnelled.length > best.length) best = tunnelled;
      }
    }
  }
  return best;
}

/** Operations per second of `operation`, measured for about `ms` milliseconds. */
function rate(operation: () => void, ms: number): number {
  for (let i = 0; i < 2000; i++) operation();
  let count = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 500; i++) operation();
    count += 500;
    elapsed = process.hrtime.bigint() - start;
  }
  return (count * 1e9) / Number(elapsed);
}

const format = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(10);

/** Prints decode, encode and decode+encode operations per second for each sample PDU. */
export async function runPerBench(): Promise<void> {
  const samples = loadSamples();
  console.log('aligned PER (X.691) — operations per second');
  console.log(`${'message'.padEnd(38)} ${'octets'.padStart(6)} ${'decode'.padStart(10)} ${'encode'.padStart(10)} ${'dec+enc'.padStart(10)}`);
  for (const { label, type, bytes } of samples) {
    const value = decode(type, bytes);
    if (!encode(type, value).equals(bytes)) throw new Error(`${label} does not re-encode identically`);
    const decodeRate = rate(() => decode(type, bytes), 1000);
    const encodeRate = rate(() => encode(type, value), 1000);
    const roundTripRate = rate(() => encode(type, decode(type, bytes)), 1000);
    console.log(
      `${label.padEnd(38)} ${String(bytes.length).padStart(6)} ${format(decodeRate)} ${format(encodeRate)} ${format(roundTripRate)}`,
    );
  }
}

if (require.main === module) {
  runPerBench().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
