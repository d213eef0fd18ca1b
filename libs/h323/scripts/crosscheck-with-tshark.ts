/**
 * Cross-checks the encoder against an independent PER decoder: Wireshark's H.225.0/H.245 dissectors. Random
 * values generated from the schema (the property-test generator) are encoded and written into a pcap file as
 * RAS datagrams (UDP 1719), Q.931 SETUP messages carrying H323-UserInformation (TPKT on TCP 1720) and H.245
 * messages (TPKT on a TCP port decoded as H.245); tshark must then dissect every frame without a malformed
 * packet or an expert error. Frames it rejects are listed with their PDU type and hex.
 *
 *   node -r @swc-node/register libs/h323/scripts/crosscheck-with-tshark.ts [values per type] [seed]
 */
import { execFileSync } from 'child_process';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { encode, H225, H245, type PerType } from '../src';
import { schemaArbitrary } from '../src/per/testing/schema-arbitrary';

const H245_PORT = 31000;

interface Frame {
  label: string;
  pdu: Buffer;
  packet: Buffer;
}

function ipv4(protocol: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header[0] = 0x45;
  header.writeUInt16BE(20 + payload.length, 2);
  header[8] = 64;
  header[9] = protocol;
  header.set([127, 0, 0, 1], 12);
  header.set([127, 0, 0, 1], 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  header.writeUInt16BE(~sum & 0xffff, 10);
  return Buffer.concat([header, payload]);
}

function udp(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(srcPort, 0);
  header.writeUInt16BE(dstPort, 2);
  header.writeUInt16BE(8 + payload.length, 4);
  return ipv4(17, Buffer.concat([header, payload]));
}

function tcp(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(srcPort, 0);
  header.writeUInt16BE(dstPort, 2);
  header.writeUInt32BE(1, 4);
  header.writeUInt32BE(1, 8);
  header[12] = 5 << 4;
  header[13] = 0x18;
  header.writeUInt16BE(65535, 14);
  return ipv4(6, Buffer.concat([header, payload]));
}

function tpkt(payload: Buffer): Buffer {
  const header = Buffer.from([3, 0, 0, 0]);
  header.writeUInt16BE(payload.length + 4, 2);
  return Buffer.concat([header, payload]);
}

/** Q.931 SETUP with a User-user IE (protocol discriminator 0x05) holding the H323-UserInformation PDU. */
function q931Setup(userInformation: Buffer, callReference: number): Buffer {
  const ie = Buffer.alloc(4);
  ie[0] = 0x7e;
  ie.writeUInt16BE(userInformation.length + 1, 1);
  ie[3] = 0x05;
  const head = Buffer.from([0x08, 0x02, (callReference >> 8) & 0x7f, callReference & 0xff, 0x05]);
  return Buffer.concat([head, ie, userInformation]);
}

function pcap(frames: Frame[]): Buffer {
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(101, 20); // LINKTYPE_RAW (IPv4)
  const records = frames.map((frame, i) => {
    const header = Buffer.alloc(16);
    header.writeUInt32LE(i, 0);
    header.writeUInt32LE(frame.packet.length, 8);
    header.writeUInt32LE(frame.packet.length, 12);
    return Buffer.concat([header, frame.packet]);
  });
  return Buffer.concat([global, ...records]);
}

/**
 * Random encodings of `type`. Octet strings that Wireshark dissects as nested PDUs carry valid ones: fastStart
 * holds OpenLogicalChannel encodings, h245Control and parallelH245Control MultimediaSystemControlMessage
 * encodings; H.450 APDUs, tunnelled signalling and H.245 returnedFunction are left out, and so is
 * EncryptionSync.genericParameter (Wireshark reads it as MIKEY). Also left out, because Wireshark's dissectors
 * do not decode them: open types (the ToBeSigned of H.235 SIGNED{}: "something unknown here"), integers of
 * more than 32 bits where the type has no upper bound ("too long integer"), and BMPStrings without a SIZE
 * constraint (Wireshark 4.0 reads their length determinant as a semi-constrained number).
 */
function arbitraryOf(type: PerType<unknown>, depth: number): fc.Arbitrary<Buffer> {
  const nested = (inner: PerType<unknown>): fc.Arbitrary<Buffer[]> =>
    fc.array(arbitraryOf(inner, 6), { minLength: 1, maxLength: 2 });
  const arbitrary = schemaArbitrary(type, {
    maxDepth: depth,
    maxUnboundedInteger: 2 ** 31 - 1,
    avoid: (t) => t.kind === 'OPEN TYPE' || (t.kind === 'STRING' && t.stringType === 'BMPString' && t.size === undefined),
    component: (owner, name) => {
      if (owner.name === 'MULTIMEDIA-SYSTEM-CONTROL.EncryptionSync' && name === 'genericParameter') return 'omit';
      if (name === 'fastStart') return nested(H245.OpenLogicalChannel);
      if (name === 'h245Control' || name === 'parallelH245Control') return nested(H245.MultimediaSystemControlMessage);
      if (['h4501SupplementaryService', 'tunnelledSignallingMessage', 'returnedFunction'].includes(name)) return 'omit';
      return undefined;
    },
  });
  return arbitrary.map((v) => encode(type, v));
}

function values(type: PerType<unknown>, count: number, seed: number): Buffer[] {
  return fc.sample(arbitraryOf(type, 8), { seed, numRuns: count });
}

function main(): void {
  const count = Number(process.argv[2] ?? 1000);
  const seed = Number(process.argv[3] ?? 1);
  const frames: Frame[] = [];
  values(H225.RasMessage, count, seed).forEach((pdu, i) =>
    frames.push({ label: 'RasMessage', pdu, packet: udp(20000 + (i % 40000), 1719, pdu) }),
  );
  values(H225.H323_UserInformation, count, seed).forEach((pdu, i) => {
    if (pdu.length + 9 > 65000) return;
    frames.push({ label: 'H323-UserInformation', pdu, packet: tcp(10000 + i, 1720, tpkt(q931Setup(pdu, i))) });
  });
  values(H245.MultimediaSystemControlMessage, count, seed).forEach((pdu, i) =>
    frames.push({ label: 'MultimediaSystemControlMessage', pdu, packet: tcp(40000 + i, H245_PORT, tpkt(pdu)) }),
  );
  const directory = mkdtempSync(join(tmpdir(), 'per-crosscheck-'));
  const file = join(directory, 'values.pcap');
  writeFileSync(file, pcap(frames));
  try {
    const output = execFileSync(
      'tshark',
      ['-r', file, '-d', `tcp.port==${H245_PORT},h245`, '-Y', '_ws.malformed || _ws.expert.severity >= error', '-T', 'fields', '-e', 'frame.number', '-e', '_ws.expert.message'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 },
    );
    const bad = output.split('\n').filter((line) => line.trim() !== '');
    for (const line of bad.slice(0, 400)) {
      const [frameNumber, message] = line.split('\t');
      const frame = frames[Number(frameNumber) - 1];
      process.stdout.write(`frame ${frameNumber} ${frame.label}: ${message}\n  ${frame.pdu.toString('hex')}\n`);
    }
    process.stdout.write(`${frames.length} frames, ${bad.length} rejected by tshark\n`);
    if (bad.length > 0) process.exitCode = 1;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

main();
