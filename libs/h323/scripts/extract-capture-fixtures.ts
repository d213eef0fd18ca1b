/**
 * Extracts every H.225.0 and H.245 PDU of the reference captures into the hex fixture used by the capture
 * round-trip test (libs/h323/src/asn1/fixtures/capture-pdus.json), so that tests never read the captures.
 *
 *   node -r @swc-node/register libs/h323/scripts/extract-capture-fixtures.ts [capture directory]
 *
 * tshark lists the TCP and UDP payloads. TCP streams are reassembled per direction and split into TPKT
 * packets (RFC 1006: version 3, reserved, 16-bit length including the 4-octet header). A stream with port 1720
 * carries Q.931 (H.225.0 call signalling): the User-user information element (0x7E, 16-bit length, protocol
 * discriminator 0x05) holds the H323-UserInformation PDU. Other TCP streams carry H.245
 * (MultimediaSystemControlMessage). UDP port 1719 datagrams are RAS (RasMessage). For each Q.931 message
 * tshark's own counts of fastStart, h245Control and parallelH245Control items are stored, so the test can check
 * it found every tunnelled PDU.
 */
import { execFileSync } from 'child_process';
import { readdirSync, writeFileSync, mkdirSync } from 'fs';
import { join } from 'path';

interface Pdu {
  capture: string;
  frame: number;
  type: 'H323-UserInformation' | 'MultimediaSystemControlMessage' | 'RasMessage';
  q931MessageType?: number;
  tunnelled?: { fastStart: number; h245Control: number; parallelH245Control: number };
  hex: string;
}

interface Segment {
  frame: number;
  seq: number;
  payload: Buffer;
}

const Q931_USER_USER = 0x7e;
const FIELDS = [
  'frame.number',
  'tcp.stream',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.seq',
  'tcp.payload',
  'udp.srcport',
  'udp.dstport',
  'udp.payload',
  'h225.fastStart',
  'h225.h245Control',
  'h225.parallelH245Control',
];

function tshark(file: string): string[][] {
  const args = ['-r', file, '-Y', '(tcp.len > 0) || udp.port == 1719', '-T', 'fields', '-E', 'separator=|'];
  for (const field of FIELDS) args.push('-e', field);
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('|'));
}

function extract(directory: string, capture: string): Pdu[] {
  const rows = tshark(join(directory, capture));
  const pdus: Pdu[] = [];
  const streams = new Map<string, { port1720: boolean; segments: Segment[] }>();
  const counts = new Map<number, Pdu['tunnelled']>();
  for (const row of rows) {
    const [frame, stream, srcport, dstport, seq, tcpPayload, udpSrc, udpDst, udpPayload, fs, h245, parallel] = row;
    const frameNumber = Number(frame);
    if (fs !== '' || h245 !== '' || parallel !== '') {
      counts.set(frameNumber, { fastStart: Number(fs || 0), h245Control: Number(h245 || 0), parallelH245Control: Number(parallel || 0) });
    }
    if (udpPayload !== undefined && udpPayload !== '' && (udpSrc === '1719' || udpDst === '1719')) {
      pdus.push({ capture, frame: frameNumber, type: 'RasMessage', hex: udpPayload });
      continue;
    }
    if (tcpPayload === undefined || tcpPayload === '') continue;
    const key = `${stream}:${srcport}>${dstport}`;
    let entry = streams.get(key);
    if (entry === undefined) {
      entry = { port1720: srcport === '1720' || dstport === '1720', segments: [] };
      streams.set(key, entry);
    }
    entry.segments.push({ frame: frameNumber, seq: Number(seq), payload: Buffer.from(tcpPayload, 'hex') });
  }
  for (const [key, { port1720, segments }] of streams) {
    for (const { frame, packet } of tpktPackets(key, segments)) {
      if (!port1720) {
        pdus.push({ capture, frame, type: 'MultimediaSystemControlMessage', hex: packet.toString('hex') });
        continue;
      }
      const { messageType, userInformation } = q931UserInformation(packet, `${capture} frame ${frame}`);
      if (userInformation === undefined) continue;
      pdus.push({
        capture,
        frame,
        type: 'H323-UserInformation',
        q931MessageType: messageType,
        tunnelled: counts.get(frame) ?? { fastStart: 0, h245Control: 0, parallelH245Control: 0 },
        hex: userInformation.toString('hex'),
      });
    }
  }
  return pdus.sort((a, b) => a.frame - b.frame);
}

/** Reassembles one direction of a TCP stream (in sequence order, duplicates dropped) and splits TPKT packets. */
function tpktPackets(key: string, segments: Segment[]): { frame: number; packet: Buffer }[] {
  const ordered = [...segments].sort((a, b) => a.seq - b.seq);
  const parts: Buffer[] = [];
  const frameAt: { offset: number; frame: number }[] = [];
  let next = ordered.length > 0 ? ordered[0].seq : 0;
  let offset = 0;
  for (const segment of ordered) {
    if (segment.seq + segment.payload.length <= next && parts.length > 0) continue;
    const skip = Math.max(0, next - segment.seq);
    const fresh = segment.payload.subarray(skip);
    frameAt.push({ offset, frame: segment.frame });
    parts.push(fresh);
    offset += fresh.length;
    next = segment.seq + segment.payload.length;
  }
  const data = Buffer.concat(parts);
  const packets: { frame: number; packet: Buffer }[] = [];
  for (let at = 0; at < data.length; ) {
    if (data.length - at < 4 || data[at] !== 3) throw new Error(`${key}: no TPKT header at offset ${at}`);
    const length = data.readUInt16BE(at + 2);
    if (length < 4 || at + length > data.length) throw new Error(`${key}: truncated TPKT at offset ${at}`);
    const end = at + length;
    const frame = [...frameAt].reverse().find((f) => f.offset < end)?.frame ?? 0;
    packets.push({ frame, packet: data.subarray(at + 4, end) });
    at = end;
  }
  return packets;
}

/** Minimal Q.931 walk (Q.931 §4): finds the User-user IE and returns the PDU after its protocol discriminator. */
function q931UserInformation(message: Buffer, where: string): { messageType: number; userInformation?: Buffer } {
  if (message[0] !== 0x08) throw new Error(`${where}: not Q.931`);
  const callReferenceLength = message[1] & 0x0f;
  let at = 2 + callReferenceLength;
  const messageType = message[at++];
  while (at < message.length) {
    const id = message[at];
    if ((id & 0x80) !== 0) {
      at++;
      continue;
    }
    if (id === Q931_USER_USER) {
      const length = message.readUInt16BE(at + 1);
      const contents = message.subarray(at + 3, at + 3 + length);
      if (contents[0] !== 0x05) throw new Error(`${where}: User-user protocol discriminator ${contents[0]}`);
      return { messageType, userInformation: Buffer.from(contents.subarray(1)) };
    }
    at += 2 + message[at + 1];
  }
  return { messageType };
}

function main(): void {
  const directory = process.argv[2] ?? '/work/shared/captures';
  const captures = readdirSync(directory).filter((f) => f.endsWith('.pcapng')).sort();
  const pdus = captures.flatMap((capture) => extract(directory, capture));
  const target = join(__dirname, '..', 'src', 'asn1', 'fixtures');
  mkdirSync(target, { recursive: true });
  const fixture = {
    description:
      'H.225.0 (H323-UserInformation, RasMessage) and H.245 (MultimediaSystemControlMessage) PDUs of the H323Plus ' +
      'reference captures, extracted by libs/h323/scripts/extract-capture-fixtures.ts',
    pdus,
  };
  writeFileSync(join(target, 'capture-pdus.json'), JSON.stringify(fixture, null, 1) + '\n');
  const byType = new Map<string, number>();
  for (const pdu of pdus) byType.set(pdu.type, (byType.get(pdu.type) ?? 0) + 1);
  process.stdout.write(`${pdus.length} PDUs from ${captures.length} captures: ${JSON.stringify(Object.fromEntries(byType))}\n`);
}

main();
