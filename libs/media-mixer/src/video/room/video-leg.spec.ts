/**
 * VideoLeg over loopback: camera RTP in (pictures out, key frame requests as RTCP PLI/FIR to the
 * camera), RTCP PLI/FIR from the remote, and parameter checks.
 */
import * as dgram from 'node:dgram';
import { RtpHeader, RtpPacket } from 'werift-rtp';
import { silentMediaLogger } from '../../media-logger';
import { PortAllocator } from '../../rtp/port-allocator';
import { parseCompoundRtcp } from '../../rtp/rtcp-compound';
import { isRtcpDatagram } from '../../rtp/rtp-packet-reader';
import { serializeFir, serializePli, type KeyframeRequest } from '../rtcp-feedback';
import { H264Packetizer } from '../rtp-h264';
import type { EncodedVideoFrame } from '../video-frame';
import type { VideoLegParams } from '../video-leg-params';
import { checkVideoLegParams, VideoLeg } from './video-leg';

const HOST = '127.0.0.1';
const sps = Buffer.from([0x67, 0x42, 0xe0, 0x1f, 0xda, 0x02, 0x80, 0xbf, 0xe5, 0x84]);
const pps = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
const annexB = (...nals: Buffer[]): Buffer => Buffer.concat(nals.flatMap((n) => [Buffer.from([0, 0, 0, 1]), n]));
const idr = annexB(sps, pps, Buffer.concat([Buffer.from([0x65, 0x88]), Buffer.alloc(2500, 0x11)]));
const pFrame = annexB(Buffer.concat([Buffer.from([0x41, 0x9a]), Buffer.alloc(300, 0x22)]));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
async function until(predicate: () => boolean, maxMs = 3000): Promise<void> {
  for (let waited = 0; !predicate(); waited += 20) {
    if (waited >= maxMs) throw new Error('condition not reached');
    await sleep(20);
  }
}

describe('VideoLeg', () => {
  let allocator: PortAllocator;
  let remote: dgram.Socket;
  let leg: VideoLeg | undefined;
  let rtcpIn: KeyframeRequest[];
  let frames: EncodedVideoFrame[];
  let counters: { received: number; sent: number };

  beforeEach(async () => {
    const base = 20000 + 2 * Math.floor(Math.random() * 6000);
    allocator = new PortAllocator({ min: base, max: base + 19, host: HOST });
    remote = dgram.createSocket('udp4');
    rtcpIn = [];
    frames = [];
    counters = { received: 0, sent: 0 };
    remote.on('message', (data) => {
      if (isRtcpDatagram(data)) rtcpIn.push(...parseCompoundRtcp(data).keyframeRequests);
    });
    await new Promise<void>((resolve) => remote.bind(0, HOST, resolve));
  });

  afterEach(async () => {
    await leg?.close();
    leg = undefined;
    remote.close();
    expect(allocator.inUse()).toBe(0);
  });

  async function open(params: Partial<VideoLegParams> = {}): Promise<VideoLeg> {
    const pair = await allocator.allocatePair();
    leg = new VideoLeg({
      legId: 'leg',
      pair,
      params: { remoteAddress: HOST, remotePort: remote.address().port, rtcpMux: true, payloadType: 96, codec: 'H264', direction: 'sendrecv', ...params },
      ssrc: 0x0a0b0c0d,
      cname: 'test@127.0.0.1',
      clock: () => performance.now(),
      logger: silentMediaLogger,
      rtcpIntervalMs: 60_000,
      onFrame: (f) => frames.push(f),
      onKeyframeRequestReceived: () => counters.received++,
      onKeyframeRequestSent: () => counters.sent++,
    });
    return leg;
  }

  function sendPicture(to: number, au: Buffer, seq: number, ts: number, ssrc = 0x1111): number {
    for (const chunk of new H264Packetizer().packetize(au)) {
      remote.send(new RtpPacket(new RtpHeader({ payloadType: 96, sequenceNumber: seq++, timestamp: ts, marker: chunk.marker, ssrc }), chunk.payload).serialize(), to, HOST);
    }
    return seq;
  }

  it('delivers pictures from the first key frame and asks the camera for one with a PLI naming its SSRC', async () => {
    const l = await open();
    let seq = sendPicture(l.localPort, pFrame, 100, 0);
    await until(() => rtcpIn.length > 0);
    expect(rtcpIn[0]).toEqual({ kind: 'pli', senderSsrc: 0x0a0b0c0d, mediaSsrc: 0x1111 });
    expect(counters.sent).toBe(1);
    seq = sendPicture(l.localPort, idr, seq, 3600);
    sendPicture(l.localPort, pFrame, seq, 7200);
    await until(() => frames.length === 2);
    expect(frames.map((f) => f.keyframe)).toEqual([true, false]);
    expect(l.legCounters()).toMatchObject({ framesIn: 2, keyframesIn: 1, keyframesRequested: 1 });
    expect(l.remoteSourceSsrc).toBe(0x1111);
  });

  it('sends FIR with a sequence number when the camera only allows FIR (RFC 5104 §4.3.1)', async () => {
    const l = await open({ feedback: { pli: false, fir: true } });
    sendPicture(l.localPort, pFrame, 100, 0, 0x2222);
    await until(() => rtcpIn.length > 0);
    expect(rtcpIn[0]).toMatchObject({ kind: 'fir', senderSsrc: 0x0a0b0c0d, entries: [{ ssrc: 0x2222, sequenceNumber: 1 }] });
  });

  it('asks again after a decoder restart until a key frame arrives', async () => {
    const l = await open();
    sendPicture(l.localPort, idr, 1, 0);
    await until(() => frames.length === 1);
    expect(counters.sent).toBe(1); // at the stream's start, before the key frame completed
    l.decoderNeedsKeyframe();
    await until(() => rtcpIn.length === 2);
    expect(counters.sent).toBe(2);
  });

  it('reports PLI and FIR from the remote that name its stream, and ignores others', async () => {
    const l = await open({ direction: 'sendonly' });
    remote.send(serializePli(0x3333, 0x0a0b0c0d), l.localPort, HOST);
    remote.send(serializePli(0x3333, 0x12345678), l.localPort, HOST);
    remote.send(serializeFir(0x3333, [{ ssrc: 0x0a0b0c0d, sequenceNumber: 4 }]), l.localPort, HOST);
    await until(() => counters.received === 2);
    // RFC 5104 §4.3.1.2: a repetition keeps the sequence number and is not a new request.
    remote.send(serializeFir(0x3333, [{ ssrc: 0x0a0b0c0d, sequenceNumber: 4 }]), l.localPort, HOST);
    await sleep(50);
    expect(counters.received).toBe(2);
    remote.send(serializeFir(0x3333, [{ ssrc: 0x0a0b0c0d, sequenceNumber: 5 }]), l.localPort, HOST);
    await until(() => counters.received === 3);
    expect(l.legCounters().keyframeRequestsReceived).toBe(3);
  });

  it('ignores a camera when its direction excludes it, and keeps its outgoing numbering across renegotiation', async () => {
    const l = await open({ direction: 'sendonly' });
    sendPicture(l.localPort, idr, 1, 0);
    await sleep(100);
    expect(frames).toHaveLength(0);
    expect(rtcpIn).toHaveLength(0);
    const before = l.sender.nextSequenceNumber;
    l.update({ payloadType: 97, direction: 'sendrecv' });
    expect(l.sender.nextSequenceNumber).toBe(before);
    expect(l.current).toMatchObject({ payloadType: 97, direction: 'sendrecv' });
    expect(l.update({ codec: 'H263', payloadType: 34 })).toEqual({ formatChanged: true });
    expect(l.current).toMatchObject({ codec: 'H263', width: 352, height: 288 });
    expect(() => l.update({ width: 640, height: 360 })).toThrow(/H.263 cannot code/);
    expect(l.current).toMatchObject({ codec: 'H263', width: 352, height: 288 });
  });

  it('checks its parameters and applies the defaults', () => {
    const base: VideoLegParams = { remoteAddress: HOST, remotePort: 5000, rtcpMux: false, payloadType: 96, codec: 'H264', direction: 'sendrecv' };
    expect(checkVideoLegParams(base)).toMatchObject({ width: 640, height: 360, frameRate: 25, maxBitrateBps: 1_000_000, maxPayloadOctets: 1200, remoteRtcpPort: 5001, feedback: { pli: true, fir: false } });
    for (const codec of ['H263', 'H263-1998', 'H263-2000', 'H261'] as const) expect(checkVideoLegParams({ ...base, codec })).toMatchObject({ width: 352, height: 288 });
    expect(() => checkVideoLegParams({ ...base, width: 641 })).toThrow(/width/);
    expect(() => checkVideoLegParams({ ...base, codec: 'H263', width: 640, height: 360 })).toThrow(/H.263 cannot code 640x360/);
    expect(() => checkVideoLegParams({ ...base, codec: 'H261', width: 704, height: 576 })).toThrow(/H.261 cannot code/);
    expect(checkVideoLegParams({ ...base, codec: 'H263', width: 176, height: 144 })).toMatchObject({ width: 176, height: 144 });
    expect(() => checkVideoLegParams({ ...base, codec: 'MPV' as never })).toThrow(/codec/);
    expect(() => checkVideoLegParams({ ...base, clockRate: 8000 })).toThrow(/clockRate/);
    expect(() => checkVideoLegParams({ ...base, payloadType: 200 })).toThrow(/payloadType/);
    expect(() => checkVideoLegParams({ ...base, h264: { packetizationMode: 2 as never } })).toThrow(/packetizationMode/);
  });
});
