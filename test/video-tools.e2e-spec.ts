/**
 * The video test tools checked on their own, without the MCU, so that a failing video end-to-end
 * test points at the MCU and not at its instruments: the colour sender's ffmpeg (H.264 and VP8 over
 * RTP) straight into the test's receiver, which must depacketize, see key frames, decode the colour
 * and measure the stream's packet gaps; its PLI must be a well-formed RTCP feedback packet sent from
 * its RTCP port; and the SDP answer parser must read what SIPp traces.
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { findKeyframeRequests } from '@mcu/media-mixer';
import { killAllChildren } from './support/child-registry';
import { freeUdpPortRange, LOOPBACK, PORT_REGIONS } from './support/ports';
import { inviteAnswerSdp, parseVideoAnswer } from './support/video-call';
import { FfmpegChild } from './support/video-ffmpeg';
import { expectedTiles, ExpectedView, viewProblems } from './support/video-layout-check';
import { ColourName, COLOURS, colourDistance, formatRgb, meanRgb, RgbPicture } from './support/video-picture';
import { TestVideoCodec, VideoReceiver } from './support/video-receiver';
import { colourSenderArgs } from './support/video-sender';

jest.setTimeout(60_000);

describe('video test tools (ffmpeg sender → test receiver, no MCU)', () => {
  const receivers: VideoReceiver[] = [];
  const senders: FfmpegChild[] = [];

  afterEach(async () => {
    for (const s of senders.splice(0)) await s.stop();
    for (const r of receivers.splice(0)) await r.close();
  });

  afterAll(async () => {
    await killAllChildren();
  });

  it.each<[TestVideoCodec, 'red' | 'blue']>([
    ['H264', 'red'],
    ['VP8', 'blue'],
  ])('%s: the receiver depacketizes, sees key frames and decodes the %s picture', async (codec, colour) => {
    const receiver = await VideoReceiver.open({ label: `tools-${codec}`, codec });
    receivers.push(receiver);
    const local = await freeUdpPortRange({ count: 2, region: PORT_REGIONS.peers });
    const started = performance.now();
    const sender = FfmpegChild.start({
      label: `tools-${codec}`,
      args: colourSenderArgs({
        colour,
        codec,
        width: 320,
        height: 180,
        frameRate: 25,
        localPort: local.min,
        remoteAddress: LOOPBACK,
        remotePort: receiver.rtpPort,
        ssrc: 0x1234,
      }),
    });
    senders.push(sender);
    const seen = await receiver.waitForPicture((p) => colourDistance(meanRgb(p.picture, { x: 100, y: 60, w: 440, h: 240 }), COLOURS[colour]) <= 24, 10_000);
    const detail = `${receiver.describe()}\nsender ${sender.describe()}`;
    expect({ decoded: seen !== undefined, detail }).toEqual({ decoded: true, detail });
    // The decoder scales to 640×360 whatever the sender's size.
    expect(seen!.picture.width).toBe(640);
    expect(meanRgb(seen!.picture, { x: 0, y: 0, w: 640, h: 360 })).toBeDefined();
    expect(receiver.keyframes.length).toBeGreaterThanOrEqual(1);
    expect(receiver.ssrcsSeen).toEqual(new Set([0x1234]));
    expect(receiver.payloadTypes).toEqual(new Set([96]));
    // 25 frames/s (fewer on a loaded machine): packets keep coming, never a pause of a second.
    await new Promise((r) => setTimeout(r, 1500));
    const now = performance.now();
    const gap = receiver.longestGap(now - 1000, now);
    expect(gap.packets).toBeGreaterThan(3);
    expect(gap.gapMs).toBeLessThan(1000);
    // Key frames every second (-g 25): at least two by now.
    expect(receiver.keyframes.filter((k) => k.completedAt > started).length).toBeGreaterThanOrEqual(2);
    // And a gap is seen when the sender stops.
    await sender.stop();
    await new Promise((r) => setTimeout(r, 600));
    const after = performance.now();
    expect(receiver.longestGap(after - 500, after).gapMs).toBeGreaterThanOrEqual(500);
    console.log(`tools ${codec}: ${formatRgb(meanRgb(seen!.picture, { x: 100, y: 60, w: 440, h: 240 }))} decoded after ${Math.round(seen!.at - started)} ms; ${receiver.describe().split('\n')[0]}`);
  });

  it('sends a PLI (RR + SDES + PSFB FMT 1) for the sender SSRC from its RTCP port to the remote RTCP port', async () => {
    const receiver = await VideoReceiver.open({ label: 'tools-pli', codec: 'H264' });
    receivers.push(receiver);
    const mcuRtcp = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => mcuRtcp.bind(0, LOOPBACK, () => resolve()));
    try {
      const got = new Promise<{ msg: Buffer; port: number }>((resolve) => mcuRtcp.once('message', (msg, rinfo) => resolve({ msg, port: rinfo.port })));
      await expect(receiver.sendPli()).rejects.toThrow(/no RTP received/);
      const local = await freeUdpPortRange({ count: 2, region: PORT_REGIONS.peers });
      const sender = FfmpegChild.start({
        label: 'tools-pli',
        args: colourSenderArgs({ colour: 'green', codec: 'H264', width: 160, height: 90, frameRate: 25, localPort: local.min, remoteAddress: LOOPBACK, remotePort: receiver.rtpPort, ssrc: 0xabcdef01 }),
      });
      senders.push(sender);
      const first = await receiver.keyframeAfter(0, 10_000);
      expect(first).toBeDefined();
      receiver.setRemote(LOOPBACK, mcuRtcp.address().port - 1);
      await receiver.sendPli();
      const { msg, port } = await got;
      expect(port).toBe(receiver.rtpPort + 1);
      expect(findKeyframeRequests(msg)).toEqual([{ kind: 'pli', senderSsrc: expect.any(Number), mediaSsrc: 0xabcdef01 }]);
      expect(msg[1]).toBe(201); // RR first (RFC 3550 §6.1)
    } finally {
      mcuRtcp.close();
    }
  });

  it('the layout check accepts a picture painted as computeLayout says and rejects swapped, missing or misplaced tiles', () => {
    const participants = [{ id: 'viewer' }, { id: 'r', colour: 'red' as const }, { id: 'g', colour: 'green' as const }, { id: 'b', colour: 'blue' as const }];
    const auto: ExpectedView = { layout: 'auto', width: 640, height: 360, participants, viewerId: 'viewer' };
    const speaker: ExpectedView = { ...auto, layout: 'speaker' };
    const paint = (view: ExpectedView, colourOf: Record<string, ColourName>): RgbPicture => {
      const picture = { width: 640, height: 360, data: Buffer.alloc(640 * 360 * 3, 16) };
      for (const t of expectedTiles(view)) {
        const c = COLOURS[colourOf[t.participantId ?? '']] ?? { r: 60, g: 60, b: 60 };
        for (let y = t.y; y < t.y + t.h; y++) for (let x = t.x; x < t.x + t.w; x++) picture.data.set([c.r, c.g, c.b], (y * 640 + x) * 3);
      }
      return picture;
    };
    const right = { r: 'red', g: 'green', b: 'blue' } as const;
    expect(expectedTiles(auto).map((t) => t.participantId)).toEqual(['r', 'g', 'b']);
    expect(viewProblems(paint(auto, right), auto)).toEqual([]);
    expect(viewProblems(paint(auto, { r: 'green', g: 'red', b: 'blue' }), auto)).toHaveLength(2);
    expect(viewProblems(paint(speaker, right), speaker)).toEqual([]);
    // The two layouts cannot be mistaken for each other.
    expect(viewProblems(paint(auto, right), speaker).length).toBeGreaterThan(0);
    expect(viewProblems(paint(speaker, right), auto).length).toBeGreaterThan(0);
    // A sender's colour outside its tile (e.g. a 2×1 picture where 2×2 was expected) is found.
    const wide = paint({ ...auto, participants: participants.slice(0, 3) }, right);
    expect(viewProblems(wide, auto).length).toBeGreaterThan(0);
  });

  it('reads the SDP answer of the 200 OK to the INVITE from a SIPp message trace', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-video-tools-'));
    try {
      const file = path.join(dir, 'trace.log');
      const sdp = ['v=0', 'o=t 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0', 'a=sendrecv',
        'm=video 40010 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1', 'a=sendonly', ''].join('\r\n');
      const ok = ['SIP/2.0 200 OK', 'Call-ID: x', 'CSeq: 1 INVITE', 'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(sdp)}`, '', sdp].join('\r\n');
      fs.writeFileSync(file, `----------------------------------------------- 2026-01-01 00:00:00.000000\nUDP message received [1] bytes :\n\nSIP/2.0 100 Trying\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n\n`);
      expect(inviteAnswerSdp(file)).toBeUndefined();
      // A body cut short (the trace is being written) is not read yet.
      fs.appendFileSync(file, `----------------------------------------------- 2026-01-01 00:00:00.000001\nUDP message received [1] bytes :\n\n${ok.slice(0, -40)}`);
      expect(inviteAnswerSdp(file)).toBeUndefined();
      fs.appendFileSync(file, `${ok.slice(-40)}\n`);
      const answer = parseVideoAnswer(inviteAnswerSdp(file)!);
      expect(answer).toMatchObject({ address: '127.0.0.1', port: 40010, rtcpPort: 40011, payloadType: 96, encoding: 'H264', direction: 'sendonly' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
