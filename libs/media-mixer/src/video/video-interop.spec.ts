/**
 * Interoperability of the payload formats with ffmpeg's own RTP implementation, over loopback UDP:
 * our packetizers feed ffmpeg's RTP demuxer, and ffmpeg's RTP muxer feeds our depacketizers.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RtpHeader, RtpPacket } from 'werift-rtp';
import type { VideoCodecName } from './ffmpeg-args';
import { findH263StartCodes, isPictureStartCode } from './h263-picture-header';
import { splitAnnexB } from './h264-nal-unit';
import { IvfReader } from './ivf';
import { H264Depacketizer, H264Packetizer } from './rtp-h264';
import { H263Depacketizer, H263Packetizer } from './rtp-h263';
import { Rfc2190Depacketizer, Rfc2190Packetizer } from './rtp-h263-rfc2190';
import { rtpInputArgs, rtpInputSdp } from './rtp-input-sdp';
import { Vp8Depacketizer, Vp8Packetizer } from './rtp-vp8';
import type { DepacketizeResult, EncodedVideoFrame, RtpPayloadChunk } from './video-frame';

const FRAMES = 8;
/** Liveness bound of each wait (not a speed assertion). */
const LIMIT_MS = 15000;

function encode(codec: string, format: string, size: string, extra: string[] = []): Buffer {
  return execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=10`, '-frames:v', String(FRAMES),
    '-pix_fmt', 'yuv420p', '-c:v', codec, '-g', '4', ...extra, '-f', format, 'pipe:1',
  ], { timeout: 20000 });
}

function h264AccessUnits(stream: Buffer): Buffer[][] {
  const units: Buffer[][] = [];
  for (const nal of splitAnnexB(stream)) {
    if ((nal[0] & 0x1f) === 9) units.push([]);
    else units[units.length - 1].push(nal);
  }
  return units;
}

function h263Pictures(stream: Buffer): Buffer[] {
  const starts = findH263StartCodes(stream).filter((o) => isPictureStartCode(stream, o));
  return starts.map((s, i) => stream.subarray(s, starts[i + 1] ?? stream.length));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function bindLoopback(port = 0): Promise<dgram.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

/** An even port that was free a moment ago (ffmpeg's SDP input needs a concrete port). */
async function freeEvenPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const socket = await bindLoopback();
    if (!socket) continue;
    const port = socket.address().port & ~1;
    socket.close();
    const pair = await Promise.all([bindLoopback(port), bindLoopback(port + 1)]);
    pair.forEach((s) => s?.close());
    if (pair.every(Boolean)) return port;
  }
  throw new Error('no free port pair');
}

describe('our packetizers → ffmpeg RTP input', () => {
  let scratch: string;
  let ffmpeg: ChildProcess | undefined;
  let sender: dgram.Socket | undefined;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'video-interop-'));
  });
  afterEach(() => {
    ffmpeg?.kill('SIGKILL');
    ffmpeg = undefined;
    sender?.close();
    sender = undefined;
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  async function decodeWithFfmpeg(codec: VideoCodecName, payloadType: number, fmtp: string | undefined, frames: RtpPayloadChunk[][]): Promise<{ decoded: number; errors: string }> {
    const port = await freeEvenPort();
    const sdp = path.join(scratch, `${codec}-${port}.sdp`);
    writeFileSync(sdp, rtpInputSdp({ codec, payloadType, port, fmtp }));
    const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-analyzeduration', '1000000', ...rtpInputArgs(sdp), '-f', 'framecrc', 'pipe:1']);
    ffmpeg = child;
    let decoded = 0;
    let errors = '';
    child.stdout.on('data', (c: Buffer) => (decoded += c.toString().split('\n').filter((l) => /^0,/.test(l)).length));
    child.stderr.on('data', (c: Buffer) => (errors += c.toString()));
    // ffmpeg is ready once it holds the port.
    for (let waited = 0; ; waited += 20) {
      const probe = await bindLoopback(port);
      if (!probe) break;
      probe.close();
      if (waited > LIMIT_MS) throw new Error(`ffmpeg did not bind ${port}: ${errors}`);
      await sleep(20);
    }
    const socket = dgram.createSocket('udp4');
    sender = socket;
    // The sequence is sent round after round (each round starts with a key frame) until ffmpeg has
    // decoded a round's worth of pictures: its RTP input holds pictures back while it probes.
    let seq = 40000;
    let timestamp = 0;
    for (let round = 0; round < 40 && decoded < frames.length; round++) {
      for (const chunks of frames) {
        for (const chunk of chunks) {
          const packet = new RtpPacket(new RtpHeader({ payloadType, sequenceNumber: seq++ & 0xffff, timestamp, marker: chunk.marker, ssrc: 0x1234 }), chunk.payload);
          socket.send(packet.serialize(), port, '127.0.0.1');
        }
        timestamp += 9000;
        await sleep(10);
      }
    }
    return { decoded, errors };
  }

  it('H.264 mode 1 (STAP-A, FU-A, single NAL units)', async () => {
    const packetizer = new H264Packetizer({ maxPayloadSize: 500 });
    const frames = h264AccessUnits(encode('libx264', 'h264', '320x240', ['-x264-params', 'aud=1'])).map((au) => packetizer.packetizeNalUnits(au));
    expect(frames.flat().some((c) => (c.payload[0] & 0x1f) === 28)).toBe(true);
    const { decoded, errors } = await decodeWithFfmpeg('h264', 96, 'packetization-mode=1', frames);
    expect(errors).toBe('');
    expect(decoded).toBeGreaterThanOrEqual(FRAMES);
  }, 60000);

  it('H.264 mode 0 (single NAL units only, slices capped by the encoder)', async () => {
    const packetizer = new H264Packetizer({ packetizationMode: 0, maxPayloadSize: 1200 });
    const stream = encode('libx264', 'h264', '320x240', ['-x264-params', 'aud=1:slice-max-size=1100']);
    const frames = h264AccessUnits(stream).map((au) => packetizer.packetizeNalUnits(au));
    expect(frames.flat().every((c) => (c.payload[0] & 0x1f) < 24)).toBe(true);
    const { decoded, errors } = await decodeWithFfmpeg('h264', 97, 'packetization-mode=0', frames);
    expect(errors).toBe('');
    expect(decoded).toBeGreaterThanOrEqual(FRAMES);
  }, 60000);

  it('VP8', async () => {
    const packetizer = new Vp8Packetizer({ maxPayloadSize: 400 });
    const frames = new IvfReader().push(encode('libvpx', 'ivf', '320x240', ['-deadline', 'realtime'])).map((f) => packetizer.packetize(f.data));
    const { decoded, errors } = await decodeWithFfmpeg('vp8', 98, undefined, frames);
    expect(errors).toBe('');
    expect(decoded).toBeGreaterThanOrEqual(FRAMES);
  }, 60000);

  it('H.263-1998 (RFC 4629)', async () => {
    const packetizer = new H263Packetizer({ maxPayloadSize: 400 });
    const frames = h263Pictures(encode('h263p', 'h263', '352x288', ['-ps', '380'])).map((p) => packetizer.packetize(p));
    const { decoded, errors } = await decodeWithFfmpeg('h263p', 99, undefined, frames);
    expect(errors).toBe('');
    expect(decoded).toBeGreaterThanOrEqual(FRAMES);
  }, 60000);

  it('H.263 (RFC 2190 mode A)', async () => {
    const packetizer = new Rfc2190Packetizer({ maxPayloadSize: 600 });
    const frames = h263Pictures(encode('h263', 'h263', '352x288', ['-ps', '580'])).map((p) => packetizer.packetize(p));
    const { decoded, errors } = await decodeWithFfmpeg('h263', 34, undefined, frames);
    expect(errors).toBe('');
    expect(decoded).toBeGreaterThanOrEqual(FRAMES);
  }, 60000);
});

describe('ffmpeg RTP output → our depacketizers', () => {
  let receiver: dgram.Socket | undefined;
  afterEach(() => {
    receiver?.close();
    receiver = undefined;
  });

  async function receive(push: (p: RtpPacket) => DepacketizeResult, codec: string, size: string, extra: string[]): Promise<EncodedVideoFrame[]> {
    const socket = await bindLoopback();
    if (!socket) throw new Error('cannot bind a loopback socket');
    receiver = socket;
    const frames: EncodedVideoFrame[] = [];
    socket.on('message', (msg: Buffer) => {
      if (msg.length >= 2 && msg[1] >= 192 && msg[1] <= 223) return; // RTCP on the same port
      frames.push(...push(RtpPacket.deSerialize(msg)).frames);
    });
    const port = socket.address().port;
    execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25`, '-frames:v', String(FRAMES),
      '-pix_fmt', 'yuv420p', '-c:v', codec, '-g', '4', ...extra, '-f', 'rtp', `rtp://127.0.0.1:${port}?pkt_size=1000`,
    ], { timeout: 30000 });
    for (let waited = 0; frames.length < FRAMES && waited < LIMIT_MS; waited += 20) await sleep(20);
    return frames;
  }

  function decodable(frames: EncodedVideoFrame[], format: string): number {
    const out = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', format, '-i', 'pipe:0', '-f', 'framecrc', 'pipe:1'], {
      input: Buffer.concat(frames.map((f) => f.data)),
      timeout: 20000,
    });
    return out.toString().split('\n').filter((l) => /^0,/.test(l)).length;
  }

  it('H.264', async () => {
    const d = new H264Depacketizer();
    const frames = await receive((p) => d.push(p), 'libx264', '320x240', ['-tune', 'zerolatency']);
    expect(frames.length).toBe(FRAMES);
    expect(frames.map((f) => f.keyframe)).toEqual([true, false, false, false, true, false, false, false]);
    expect(decodable(frames, 'h264')).toBe(FRAMES);
  }, 60000);

  it('VP8', async () => {
    const d = new Vp8Depacketizer();
    const frames = await receive((p) => d.push(p), 'libvpx', '320x240', ['-deadline', 'realtime']);
    expect(frames.length).toBe(FRAMES);
    expect(frames[0].keyframe).toBe(true);
    expect(d.stats.malformedPackets).toBe(0);
  }, 60000);

  it('H.263-1998 (RFC 4629)', async () => {
    const d = new H263Depacketizer();
    const frames = await receive((p) => d.push(p), 'h263p', '352x288', []);
    expect(frames.length).toBe(FRAMES);
    expect(decodable(frames, 'h263')).toBe(FRAMES);
  }, 60000);

  it('H.263 (RFC 2190, modes A and B as ffmpeg writes them)', async () => {
    const d = new Rfc2190Depacketizer();
    const frames = await receive((p) => d.push(p), 'h263', '352x288', ['-rtpflags', 'rfc2190']);
    expect(frames.length).toBe(FRAMES);
    expect(decodable(frames, 'h263')).toBe(FRAMES);
  }, 60000);
});
