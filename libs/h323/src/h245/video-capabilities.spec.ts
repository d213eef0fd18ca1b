import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { H245, type H245Types } from '../asn1/generated';
import { decode, encode } from '../per/codec';
import { buildTerminalCapabilitySet } from './capabilities';
import { buildOlcAck, buildVideoOlc, parseOlc, videoPayloadTypeOf, VIDEO_SESSION_ID } from './open-logical-channel';
import { RemoteCapabilityTable } from './remote-capabilities';
import {
  chooseTransmitVideo,
  h263PictureSize,
  H241_H264_CAPABILITY_OID,
  intersectVideo,
  parseVideoCapability,
  profileLevelIdOf,
  videoCapability,
  type VideoCapabilityDescription,
} from './video-capabilities';

const H264: VideoCapabilityDescription = { codec: 'h264', maxBitRate: 7680, profile: 64, level: 36 };
const H263: VideoCapabilityDescription = { codec: 'h263', maxBitRate: 3840, qcifMPI: 1, cifMPI: 2 };

function roundTrip(message: H245Types.MultimediaSystemControlMessage): H245Types.MultimediaSystemControlMessage {
  return decode(H245.MultimediaSystemControlMessage, encode(H245.MultimediaSystemControlMessage, message));
}

function tcsMessage(video: readonly VideoCapabilityDescription[], h264PacketizationModes?: readonly (0 | 1)[]): H245Types.MultimediaSystemControlMessage {
  return {
    tag: 'request',
    value: { tag: 'terminalCapabilitySet', value: buildTerminalCapabilitySet({ audio: ['g711Ulaw64k'], video, ...(h264PacketizationModes ? { h264PacketizationModes } : {}) }, 1) },
  };
}

describe('video capabilities (H.245 §6.2.8, H.241 §8.3)', () => {
  it('encodes H.263 with its picture intervals and H.264 as the H.241 generic capability, and parses them back', () => {
    const h263 = videoCapability(H263);
    expect(h263).toMatchObject({ tag: 'h263VideoCapability', value: { qcifMPI: 1, cifMPI: 2, maxBitRate: 3840 } });
    expect(h263.tag === 'h263VideoCapability' && h263.value.sqcifMPI).toBeUndefined();
    const h264 = videoCapability(H264);
    expect(h264).toEqual({
      tag: 'genericVideoCapability',
      value: {
        capabilityIdentifier: { tag: 'standard', value: H241_H264_CAPABILITY_OID },
        maxBitRate: 7680,
        collapsing: [
          { parameterIdentifier: { tag: 'standard', value: 41 }, parameterValue: { tag: 'booleanArray', value: 64 } },
          { parameterIdentifier: { tag: 'standard', value: 42 }, parameterValue: { tag: 'unsignedMin', value: 36 } },
        ],
      },
    });
    expect(parseVideoCapability(h263)).toEqual(H263);
    expect(parseVideoCapability(h264)).toEqual(H264);
  });

  it('ignores video it cannot use: H.261, other generic capabilities, H.264 without Baseline, H.263 without a size', () => {
    expect(parseVideoCapability({ tag: 'h261VideoCapability', value: { cifMPI: 1, temporalSpatialTradeOffCapability: false, maxBitRate: 100, stillImageTransmission: false } })).toBeUndefined();
    expect(parseVideoCapability({ tag: 'genericVideoCapability', value: { capabilityIdentifier: { tag: 'standard', value: '0.0.8.241.0.0.2' }, maxBitRate: 10 } })).toBeUndefined();
    const high = videoCapability({ ...H264, profile: 8 });
    expect(parseVideoCapability(high)).toBeUndefined();
    const noSize = { tag: 'h263VideoCapability', value: { ...(videoCapability(H263).value as H245Types.H263VideoCapability), qcifMPI: undefined, cifMPI: undefined } } as H245Types.VideoCapability;
    expect(parseVideoCapability(noSize)).toBeUndefined();
    expect(() => videoCapability({ codec: 'h263', maxBitRate: 100 })).toThrow(RangeError);
    expect(() => videoCapability({ ...H264, maxBitRate: 0 })).toThrow(RangeError);
  });

  it('puts video in its own simultaneous sets beside audio; the set survives PER and is read back by the remote table', () => {
    const message = tcsMessage([H264, H263], [0, 1]);
    const decoded = roundTrip(message);
    expect(decoded).toEqual(message);
    const tcs = (decoded.value as { value: H245Types.TerminalCapabilitySet }).value;
    const tags = (tcs.capabilityTable ?? []).map((e) => e.capability?.tag);
    expect(tags.filter((t) => t === 'receiveVideoCapability')).toHaveLength(2);
    expect(tags.filter((t) => t === 'transmitVideoCapability')).toHaveLength(2);
    const sets = tcs.capabilityDescriptors?.[0].simultaneousCapabilities ?? [];
    const kinds = sets.map((set) => [...new Set(set.map((n) => tcs.capabilityTable?.find((e) => e.capabilityTableEntryNumber === n)?.capability?.tag))]);
    expect(kinds).toContainEqual(['receiveAudioCapability']);
    expect(kinds).toContainEqual(['receiveVideoCapability']);
    expect(kinds).toContainEqual(['transmitVideoCapability']);
    const result = new RemoteCapabilityTable().apply(tcs);
    expect(result.ok && result.capabilities.receiveVideo).toEqual([H264, H263]);
    expect(result.ok && result.capabilities.transmitVideo).toEqual([H264, H263]);
    expect(result.ok && result.capabilities.h264PacketizationModes).toEqual([0, 1]);
  });

  it('announces no video and no H.264 packetization without video; rejects a codec named twice', () => {
    const tcs = buildTerminalCapabilitySet({ audio: ['g711Ulaw64k'] }, 1);
    expect((tcs.capabilityTable ?? []).some((e) => e.capability?.tag.includes('Video'))).toBe(false);
    expect(tcs.multiplexCapability?.tag === 'h2250Capability' && tcs.multiplexCapability.value.mediaPacketizationCapability.rtpPayloadType).toBeUndefined();
    expect(() => buildTerminalCapabilitySet({ audio: ['g711Ulaw64k'], video: [H263, H263] }, 1)).toThrow(RangeError);
  });

  it('chooses H.264 before H.263, intersected; follows a preference; nothing in common is undefined', () => {
    const remote: VideoCapabilityDescription[] = [{ codec: 'h263', maxBitRate: 1000, qcifMPI: 2 }, { codec: 'h264', maxBitRate: 20000, profile: 64, level: 29 }];
    expect(chooseTransmitVideo([H264, H263], remote)).toEqual({ codec: 'h264', maxBitRate: 7680, profile: 64, level: 29 });
    expect(chooseTransmitVideo([H264, H263], remote, ['h263'])).toEqual({ codec: 'h263', maxBitRate: 1000, qcifMPI: 2 });
    expect(chooseTransmitVideo([H263], [{ codec: 'h263', maxBitRate: 1000, sqcifMPI: 1 }])).toBeUndefined();
    expect(chooseTransmitVideo([H264], [])).toBeUndefined();
    expect(intersectVideo(H264, H263)).toBeUndefined();
  });

  it('derives picture sizes from the MPI fields and profile-level-id from the H.241 level', () => {
    expect(h263PictureSize({ cifMPI: 2, qcifMPI: 1 })).toEqual({ width: 352, height: 288 });
    expect(h263PictureSize({ qcifMPI: 1 })).toEqual({ width: 176, height: 144 });
    expect(h263PictureSize({ sqcifMPI: 1 })).toEqual({ width: 128, height: 96 });
    expect(h263PictureSize({})).toEqual({ width: 352, height: 288 });
    expect(profileLevelIdOf(36)).toBe('42e00d');
    expect(profileLevelIdOf(71)).toBe('42e01f');
    expect(profileLevelIdOf(64)).toBe('42e01e');
    expect(profileLevelIdOf(undefined)).toBe('42e00a');
  });
});

describe('video OpenLogicalChannel (H.245 Annex B.3.1)', () => {
  const rtcp = { address: '127.0.0.1', port: 40001 };

  it('builds H.264 in session 2 with its payload type and packetization mode, and parses it back through PER', () => {
    const olc = buildVideoOlc({ channelNumber: 7, video: H264, rtcp, payloadType: 109, packetizationMode: 1 });
    const decoded = decode(H245.OpenLogicalChannel, encode(H245.OpenLogicalChannel, olc));
    const parsed = parseOlc(decoded);
    expect(parsed.forward).toMatchObject({ dataType: 'videoData', video: H264, videoFormat: 'H264', h264PacketizationMode: 1, sessionId: VIDEO_SESSION_ID, dynamicRtpPayloadType: 109, mediaControlChannel: rtcp });
    expect(videoPayloadTypeOf(parsed.forward)).toBe(109);
  });

  it('builds H.263 on static payload type 34 (RFC 2190); H.263 with RFC 2429 packetization is H263-1998', () => {
    const olc = buildVideoOlc({ channelNumber: 8, video: H263, rtcp });
    const parsed = parseOlc(decode(H245.OpenLogicalChannel, encode(H245.OpenLogicalChannel, olc)));
    expect(parsed.forward).toMatchObject({ video: H263, videoFormat: 'H263' });
    expect(parsed.forward.dynamicRtpPayloadType).toBeUndefined();
    expect(videoPayloadTypeOf(parsed.forward)).toBe(34);
    const params = olc.forwardLogicalChannelParameters.multiplexParameters as { value: H245Types.H2250LogicalChannelParameters };
    params.value.dynamicRTPPayloadType = 98;
    params.value.mediaPacketization = { tag: 'rtpPayloadType', value: { payloadDescriptor: { tag: 'rfc-number', value: 2429 }, payloadType: 98 } };
    const plus = parseOlc(decode(H245.OpenLogicalChannel, encode(H245.OpenLogicalChannel, olc)));
    expect(plus.forward).toMatchObject({ videoFormat: 'H263-1998', dynamicRtpPayloadType: 98 });
  });

  const tsharkMissing = ((): boolean => {
    try {
      execFileSync('tshark', ['--version'], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  })();

  (tsharkMissing ? it.skip : it)('tshark dissects the capability set, the OLCs, the ack and videoFastUpdatePicture without errors', () => {
    const messages: H245Types.MultimediaSystemControlMessage[] = [
      tcsMessage([H264, H263], [0]),
      { tag: 'request', value: { tag: 'openLogicalChannel', value: buildVideoOlc({ channelNumber: 7, video: H264, rtcp, payloadType: 109 }) } },
      { tag: 'request', value: { tag: 'openLogicalChannel', value: buildVideoOlc({ channelNumber: 8, video: H263, rtcp }) } },
      { tag: 'response', value: { tag: 'openLogicalChannelAck', value: buildOlcAck(7, { sessionId: 2, rtp: { address: '127.0.0.1', port: 40000 }, rtcp }) } },
      { tag: 'command', value: { tag: 'miscellaneousCommand', value: { logicalChannelNumber: 7, type: { tag: 'videoFastUpdatePicture', value: null } } } },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'h245-video-'));
    try {
      const file = join(dir, 'video.pcap');
      writeFileSync(file, pcapOf(messages.map((m) => encode(H245.MultimediaSystemControlMessage, m))));
      const out = execFileSync(
        'tshark',
        ['-r', file, '-d', 'tcp.port==31000,h245', '-T', 'fields', '-E', 'separator=|', '-e', '_ws.malformed', '-e', '_ws.expert.severity', '-e', 'h245.standardOid', '-e', 'h245.cifMPI', '-e', 'h245.maxBitRate', '-e', 'h245.sessionID', '-e', 'h245.videoFastUpdatePicture_element'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      );
      const lines = out.trim().split('\n').map((l) => l.split('|'));
      expect(lines).toHaveLength(5);
      for (const [malformed, severity] of lines) {
        expect(malformed).toBe('');
        expect(severity === '' || Number(severity) < 0x800000).toBe(true);
      }
      expect(lines[0][2]).toContain(H241_H264_CAPABILITY_OID);
      expect(lines[0][3]).toContain('2');
      expect(lines[1][2]).toContain(H241_H264_CAPABILITY_OID);
      expect(lines[1][4]).toBe('7680');
      expect(lines[2][3]).toBe('2');
      expect(lines[3][5]).toBe('2');
      expect(lines[4][6]).not.toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A pcap (LINKTYPE_RAW) of TPKT-framed H.245 PDUs on TCP port 31000, decoded as H.245 with "-d". */
function pcapOf(pdus: Buffer[]): Buffer {
  const records = pdus.map((pdu, i) => {
    const tpkt = Buffer.concat([Buffer.from([3, 0, (pdu.length + 4) >> 8, (pdu.length + 4) & 0xff]), pdu]);
    const tcp = Buffer.alloc(20);
    tcp.writeUInt16BE(40000 + i, 0);
    tcp.writeUInt16BE(31000, 2);
    tcp.writeUInt32BE(1, 4);
    tcp[12] = 5 << 4;
    tcp[13] = 0x18;
    tcp.writeUInt16BE(65535, 14);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(40 + tpkt.length, 2);
    ip[8] = 64;
    ip[9] = 6;
    ip.set([127, 0, 0, 1], 12);
    ip.set([127, 0, 0, 1], 16);
    let sum = 0;
    for (let k = 0; k < 20; k += 2) sum += ip.readUInt16BE(k);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    ip.writeUInt16BE(~sum & 0xffff, 10);
    const packet = Buffer.concat([ip, tcp, tpkt]);
    const header = Buffer.alloc(16);
    header.writeUInt32LE(i, 0);
    header.writeUInt32LE(packet.length, 8);
    header.writeUInt32LE(packet.length, 12);
    return Buffer.concat([header, packet]);
  });
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(101, 20);
  return Buffer.concat([global, ...records]);
}
