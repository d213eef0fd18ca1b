import { execFileSync } from 'node:child_process';
import { RtpHeader, RtpPacket } from 'werift-rtp';
import { CodecError, InvalidArgumentError } from '../errors';
import { joinAnnexB, splitAnnexB } from './h264-nal-unit';
import { buildFuA, buildStapA, H264Depacketizer, H264Packetizer, parseStapA } from './rtp-h264';
import type { RtpPayloadChunk } from './video-frame';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const SPS = hex('67 42 e0 1f 8d 68 05');
const PPS = hex('68 ce 3c 80');
const AUD = hex('09 f0');
/** IDR slice, first_mb_in_slice = 0 (first bit 1). */
const idr = (len: number): Buffer => Buffer.concat([hex('65 88'), Buffer.from(Array.from({ length: len - 2 }, (_, i) => (i * 7 + 1) & 0xff))]);
/** Non-IDR slice, first_mb_in_slice = 0. */
const slice = (len: number): Buffer => Buffer.concat([hex('41 9a'), Buffer.from(Array.from({ length: len - 2 }, (_, i) => (i * 3 + 2) & 0xff))]);

function packet(seq: number, ts: number, payload: Buffer, marker = false, ssrc = 0x1234): RtpPacket {
  return new RtpPacket(new RtpHeader({ sequenceNumber: seq & 0xffff, timestamp: ts, marker, payloadType: 96, ssrc }), payload);
}

/** Feeds payload chunks as packets from `seq` with one timestamp; returns the delivered frames. */
function feed(d: H264Depacketizer, chunks: RtpPayloadChunk[], seq: number, ts: number) {
  return chunks.flatMap((c, i) => d.push(packet(seq + i, ts, c.payload, c.marker)).frames);
}

describe('STAP-A and FU-A wire formats (RFC 6184 §5.7.1, §5.8)', () => {
  it('aggregates SPS and PPS with 16-bit sizes and the highest NRI', () => {
    const stap = buildStapA([SPS, PPS]);
    expect(stap).toEqual(hex('78 0007 6742e01f8d6805 0004 68ce3c80'));
    expect(parseStapA(stap)).toEqual([SPS, PPS]);
  });

  it('rejects STAP-As whose sizes do not add up', () => {
    expect(() => parseStapA(hex('78 0008 6742e01f8d6805'))).toThrow(CodecError);
    expect(() => parseStapA(hex('78 0004 68ce3c80 00'))).toThrow(/truncated/);
    expect(() => parseStapA(hex('78 0000'))).toThrow(/size 0/);
    expect(() => parseStapA(hex('78'))).toThrow(/without NAL units/);
  });

  it('cuts a NAL unit into near-equal FU-A fragments with S and E bits', () => {
    const nal = Buffer.concat([hex('65'), Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])]);
    expect(buildFuA(nal, 8)).toEqual([hex('7c 85 0001020304'), hex('7c 45 0506070809')]);
    expect(buildFuA(nal, 6).map((p) => p.length)).toEqual([6, 5, 5]);
  });
});

describe('H264Packetizer', () => {
  it('sends SPS+PPS as one STAP-A, drops the AUD, fragments a large IDR and marks the last packet', () => {
    const p = new H264Packetizer({ maxPayloadSize: 100 });
    const chunks = p.packetize(joinAnnexB([AUD, SPS, PPS, idr(250)]));
    expect(chunks.map((c) => [c.payload[0], c.payload.length, c.marker])).toEqual([
      [0x78, 16, false],
      [0x7c, 85, false],
      [0x7c, 85, false],
      [0x7c, 85, true],
    ]);
    expect(chunks[0].payload).toEqual(buildStapA([SPS, PPS]));
    expect(chunks.every((c) => c.payload.length <= 100)).toBe(true);
  });

  it('sends small NAL units as single NAL unit packets', () => {
    const p = new H264Packetizer();
    expect(p.packetizeNalUnits([slice(50)])).toEqual([{ payload: slice(50), marker: true }]);
  });

  it('puts the latest SPS/PPS before an IDR that arrives without them', () => {
    const p = new H264Packetizer({ maxPayloadSize: 1200 });
    p.packetizeNalUnits([SPS, PPS, idr(40)]);
    p.packetizeNalUnits([slice(30)]);
    const chunks = p.packetizeNalUnits([idr(40)]);
    expect(chunks).toEqual([
      { payload: buildStapA([SPS, PPS]), marker: false },
      { payload: idr(40), marker: true },
    ]);
  });

  it('uses configured parameter sets before the encoder has sent any', () => {
    const p = new H264Packetizer({ packetizationMode: 0, parameterSets: { sps: [SPS], pps: [PPS] } });
    expect(p.packetizeNalUnits([idr(20)]).map((c) => c.payload)).toEqual([SPS, PPS, idr(20)]);
  });

  it('in packetization-mode 0 sends only single NAL units and refuses oversized ones', () => {
    const p = new H264Packetizer({ packetizationMode: 0, maxPayloadSize: 100 });
    expect(p.packetizeNalUnits([SPS, PPS, idr(100)]).map((c) => c.payload[0])).toEqual([0x67, 0x68, 0x65]);
    expect(() => p.packetizeNalUnits([idr(101)])).toThrow(CodecError);
  });

  it('rejects impossible options', () => {
    expect(() => new H264Packetizer({ maxPayloadSize: 8 })).toThrow(InvalidArgumentError);
    expect(() => new H264Packetizer({ packetizationMode: 2 as 0 })).toThrow(InvalidArgumentError);
  });
});

describe('H264Depacketizer', () => {
  const packetizer = () => new H264Packetizer({ maxPayloadSize: 100 });

  it('reassembles STAP-A and FU-A into an Annex B access unit and reports the key frame', () => {
    const d = new H264Depacketizer();
    expect(d.needsKeyframe).toBe(true);
    const frames = feed(d, packetizer().packetizeNalUnits([SPS, PPS, idr(250)]), 100, 9000);
    expect(frames).toEqual([{ data: joinAnnexB([SPS, PPS, idr(250)]), rtpTimestamp: 9000, keyframe: true }]);
    expect(d.needsKeyframe).toBe(false);
  });

  it('drops non-key frames until the first IDR', () => {
    const d = new H264Depacketizer();
    expect(d.push(packet(1, 0, slice(20), true))).toEqual({ frames: [], needsKeyframe: true });
    expect(d.stats.framesDropped).toBe(1);
  });

  it('ends an access unit at a timestamp change when the marker is missing', () => {
    const d = new H264Depacketizer({ parameterSets: { sps: [SPS], pps: [PPS] } });
    expect(d.push(packet(1, 0, idr(20))).frames).toEqual([]);
    const out = d.push(packet(2, 3000, slice(20), true)).frames;
    expect(out.map((f) => [f.rtpTimestamp, f.keyframe])).toEqual([
      [0, true],
      [3000, false],
    ]);
    expect(out[0].data).toEqual(joinAnnexB([SPS, PPS, idr(20)]));
  });

  it('drops the access unit that lost a fragment, asks for a key frame, and recovers at the next IDR', () => {
    const d = new H264Depacketizer();
    feed(d, packetizer().packetizeNalUnits([SPS, PPS, idr(250)]), 10, 0); // seq 10..13
    const p = packetizer().packetizeNalUnits([slice(250)]); // 3 FU-A
    expect(d.push(packet(14, 3000, p[0].payload)).needsKeyframe).toBe(false);
    const afterGap = d.push(packet(16, 3000, p[2].payload, true));
    expect(afterGap).toEqual({ frames: [], needsKeyframe: true });
    expect(d.stats.lostPackets).toBe(1);
    // A whole P frame after the loss still cannot be decoded.
    expect(d.push(packet(17, 6000, slice(30), true))).toEqual({ frames: [], needsKeyframe: true });
    const recovered = feed(d, packetizer().packetizeNalUnits([SPS, PPS, idr(60)]), 18, 9000);
    expect(recovered.map((f) => f.keyframe)).toEqual([true]);
    expect(d.needsKeyframe).toBe(false);
    expect(d.stats).toMatchObject({ framesOut: 2, keyframesOut: 2, framesDropped: 2 });
  });

  it('accepts an IDR right after a gap when its first packet starts the picture', () => {
    const d = new H264Depacketizer({ parameterSets: { sps: [SPS], pps: [PPS] } });
    d.push(packet(1, 0, idr(20), true));
    const fu = packetizer().packetizeNalUnits([idr(150)]);
    const frames = fu.flatMap((c, i) => d.push(packet(5 + i, 6000, c.payload, c.marker)).frames);
    expect(frames.map((f) => f.keyframe)).toEqual([true]);
  });

  it('drops a picture whose first packets were lost even if the rest is whole', () => {
    const d = new H264Depacketizer({ parameterSets: { sps: [SPS], pps: [PPS] } });
    d.push(packet(1, 0, idr(20), true));
    const fu = packetizer().packetizeNalUnits([idr(250)]); // 3 fragments, the first lost
    expect(d.push(packet(3, 6000, fu[1].payload)).frames).toEqual([]);
    expect(d.push(packet(4, 6000, fu[2].payload, true))).toEqual({ frames: [], needsKeyframe: true });
  });

  it('inserts sprop-parameter-sets before an IDR sent without SPS/PPS, and cannot decode without them', () => {
    const withSprop = new H264Depacketizer({ parameterSets: { sps: [SPS], pps: [PPS] } });
    expect(withSprop.push(packet(1, 0, idr(20), true)).frames[0].data).toEqual(joinAnnexB([SPS, PPS, idr(20)]));
    const without = new H264Depacketizer();
    expect(without.push(packet(1, 0, idr(20), true))).toEqual({ frames: [], needsKeyframe: true });
  });

  it('counts malformed payloads, ignores reserved types, duplicates and late packets', () => {
    const d = new H264Depacketizer({ parameterSets: { sps: [SPS], pps: [PPS] } });
    d.push(packet(1, 0, idr(20), true));
    expect(d.push(packet(2, 3000, hex('78 0009 6742'), true))).toEqual({ frames: [], needsKeyframe: true });
    expect(d.push(packet(3, 3000, hex('99 00'), true)).needsKeyframe).toBe(true); // forbidden bit
    expect(d.push(packet(4, 3000, hex('19 00'), true)).needsKeyframe).toBe(true); // STAP-B
    expect(d.stats.malformedPackets).toBe(3);
    d.push(packet(5, 6000, idr(20), true));
    expect(d.push(packet(5, 6000, idr(20), true)).frames).toEqual([]);
    expect(d.push(packet(4, 6000, idr(20), true)).frames).toEqual([]);
    expect(d.stats.latePackets).toBe(2);
    const reserved = d.push(packet(6, 9000, hex('1e 00')));
    expect(reserved.frames).toEqual([]);
    expect(d.push(packet(7, 9000, slice(10), true)).frames.map((f) => f.data)).toEqual([joinAnnexB([slice(10)])]);
  });

  it('waits for a new IDR when the SSRC changes and follows sequence wrap-around', () => {
    const d = new H264Depacketizer({ parameterSets: { sps: [SPS], pps: [PPS] } });
    d.push(packet(0xffff, 0, idr(20), true));
    expect(d.push(packet(0, 3000, slice(20), true)).frames).toHaveLength(1);
    expect(d.push(packet(500, 6000, slice(20), true, 0x9999))).toEqual({ frames: [], needsKeyframe: true });
    expect(d.stats.ssrcChanges).toBe(1);
    expect(d.stats.lostPackets).toBe(0);
    expect(d.push(packet(501, 9000, idr(20), true, 0x9999)).frames).toHaveLength(1);
  });

  it('skips padding-only packets without breaking the picture', () => {
    const d = new H264Depacketizer({ parameterSets: { sps: [SPS], pps: [PPS] } });
    d.push(packet(1, 0, idr(20), true));
    expect(d.push(packet(2, 0, Buffer.alloc(0))).frames).toEqual([]);
    expect(d.push(packet(3, 3000, slice(20), true)).frames).toHaveLength(1);
  });
});

describe('H.264 over RTP with a real encoder', () => {
  it('round-trips libx264 output through packetizer and depacketizer, and ffmpeg decodes the result', () => {
    const stream = execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-frames:v', '10',
      '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline',
      '-x264-params', 'keyint=5:aud=1:repeat-headers=1', '-f', 'h264', 'pipe:1',
    ], { timeout: 20000 });
    // Access units start at each AUD.
    const nals = splitAnnexB(stream);
    const units: Buffer[][] = [];
    for (const nal of nals) {
      if ((nal[0] & 0x1f) === 9) units.push([]);
      units[units.length - 1].push(nal);
    }
    expect(units).toHaveLength(10);
    const packetizer = new H264Packetizer({ maxPayloadSize: 300 });
    const depacketizer = new H264Depacketizer();
    let seq = 65000;
    const out: Buffer[] = [];
    units.forEach((au, i) => {
      for (const chunk of packetizer.packetizeNalUnits(au)) {
        expect(chunk.payload.length).toBeLessThanOrEqual(300);
        out.push(...depacketizer.push(packet(seq++, i * 9000, chunk.payload, chunk.marker)).frames.map((f) => f.data));
      }
    });
    expect(out).toHaveLength(10);
    out.forEach((data, i) => expect(splitAnnexB(data)).toEqual(units[i].filter((n) => (n[0] & 0x1f) !== 9)));
    const decoded = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'h264', '-i', 'pipe:0', '-f', 'framecrc', 'pipe:1'], {
      input: Buffer.concat(out),
      timeout: 20000,
    }).toString();
    expect(decoded.split('\n').filter((l) => /^0,/.test(l))).toHaveLength(10);
  });
});
