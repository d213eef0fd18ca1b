/**
 * MediaEngine as a video mixer, over loopback with real ffmpeg: H.264 cameras in, the composite
 * out, decoded and checked by colour at the positions `computeLayout` gives.
 */
import { RtpTestParticipant } from '../../fixtures/rtp-test-participant';
import { MediaEngine, type MediaEngineEvents } from '../../media-engine';
import { PLACEHOLDER_COLOUR } from '../compose/compositor';
import { FfmpegLocator, type FfmpegCapabilities, type LocatedFfmpeg } from '../ffmpeg-locator';
import { computeLayout, type Tile } from '../layout';
import { liveFfmpegChildCount } from '../pipeline/ffmpeg-process';
import { meanYuv, rgbToYuv, type RawPicture } from '../pipeline/raw-picture';
import type { VideoLegParams } from '../video-leg-params';
import { parseVp8PayloadDescriptor } from '../rtp-vp8';
import { VideoTestParticipant, type VideoTestParticipantOptions } from './video-test-participant';

const HOST = '127.0.0.1';
const W = 640;
const H = 360;
const RED = rgbToYuv(255, 0, 0);
const BLUE = rgbToYuv(0, 0, 255);
const LIME = rgbToYuv(0, 255, 0);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until `predicate` holds. */
async function until(predicate: () => boolean, maxMs = 8000, what = 'condition'): Promise<void> {
  for (let waited = 0; !predicate(); waited += 50) {
    if (waited >= maxMs) throw new Error(`${what} not reached within ${maxMs} ms`);
    await sleep(50);
  }
}

function randomBase(): number {
  return 20000 + 2 * Math.floor(Math.random() * 6000);
}

/** The centre half of a tile (clear of scaling edges and label strips). */
function inner(t: Tile): { x: number; y: number; w: number; h: number } {
  const even = (v: number): number => 2 * Math.floor(v / 2);
  return { x: even(t.x + t.w / 4), y: even(t.y + t.h / 4), w: even(t.w / 2), h: even(t.h / 4) };
}

function near(p: RawPicture, tile: Tile, colour: { y: number; u: number; v: number }): boolean {
  const m = meanYuv(p, inner(tile));
  return Math.abs(m.y - colour.y) < 20 && Math.abs(m.u - colour.u) < 20 && Math.abs(m.v - colour.v) < 20;
}

// Real ffmpeg decoders and encoders; each test runs a few seconds of video.
jest.setTimeout(40_000);

describe('MediaEngine video rooms over loopback', () => {
  let ffmpeg: LocatedFfmpeg;
  let capabilities: FfmpegCapabilities;
  let engine: MediaEngine;
  let participants: VideoTestParticipant[];
  let phones: RtpTestParticipant[];
  let keyframeEvents: MediaEngineEvents['video-keyframe-request'][];

  beforeAll(async () => {
    const locator = new FfmpegLocator({ env: { ...process.env, FFMPEG_PATH: process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg' } });
    ffmpeg = await locator.locate();
    capabilities = await locator.capabilities();
  });

  beforeEach(() => {
    const base = randomBase();
    engine = new MediaEngine({
      portMin: base,
      portMax: base + 99,
      host: HOST,
      publicAddress: HOST,
      rtcpIntervalMs: 500,
      video: { ffmpeg, capabilities },
      activeSpeaker: { holdMs: 300 },
    });
    participants = [];
    phones = [];
    keyframeEvents = [];
    engine.on('video-keyframe-request', (e) => keyframeEvents.push(e));
  });

  afterEach(async () => {
    for (const phone of phones) phone.close();
    await Promise.all(participants.map((p) => p.close()));
    await engine.close();
    expect(engine.portUsage().inUse).toBe(0);
    expect(liveFfmpegChildCount()).toBe(0);
  });

  async function join(
    roomId: string,
    opts: VideoTestParticipantOptions,
    params: Partial<VideoLegParams> = {},
    audioLegId?: string,
  ): Promise<{ p: VideoTestParticipant; legId: string; localPort: number }> {
    const p = await new VideoTestParticipant(opts).open();
    participants.push(p);
    const alloc = await engine.allocateLeg();
    engine.startVideoLeg(
      roomId,
      alloc,
      { remoteAddress: HOST, remotePort: p.port, rtcpMux: true, payloadType: 96, codec: 'H264', direction: 'sendrecv', ...params },
      { displayName: opts.colour ?? 'viewer', audioLegId },
    );
    p.start(alloc.localPort);
    return { p, legId: alloc.legId, localPort: alloc.localPort };
  }

  function tilesFor(viewer: string, cameras: string[], layout: 'auto' | 'speaker' | 'single' = 'auto'): Tile[] {
    return computeLayout({
      layout,
      width: W,
      height: H,
      participants: [...cameras.map((id) => ({ id, name: id, hasVideo: true })), { id: viewer, name: 'viewer', hasVideo: false }],
      selfView: false,
      viewerId: viewer,
    });
  }

  it('supports the codecs its ffmpeg encodes and refuses video legs without ffmpeg', async () => {
    expect(engine.supportsVideoCodec('H264')).toBe(capabilities.videoEncoders.libx264);
    expect(engine.supportsVideoCodec('VP8')).toBe(capabilities.videoEncoders.libvpx);
    const without = new MediaEngine({ portMin: 40000, portMax: 40009, host: HOST, publicAddress: HOST });
    try {
      const alloc = await without.allocateLeg();
      expect(without.supportsVideoCodec('H264')).toBe(false);
      expect(() =>
        without.startVideoLeg('r', alloc, { remoteAddress: HOST, remotePort: 5000, rtcpMux: true, payloadType: 96, codec: 'H264', direction: 'sendrecv' }, { displayName: 'x' }),
      ).toThrow(/ffmpeg/i);
    } finally {
      await without.close();
    }
  });

  it('composes two H.264 cameras side by side for a third participant, at the layout positions', async () => {
    const red = await join('room', { colour: 'red' }, { direction: 'recvonly' });
    const blue = await join('room', { colour: 'blue' }, { direction: 'recvonly' });
    const viewer = await join('room', { receive: { width: W, height: H } }, { direction: 'sendonly' });
    const tiles = tilesFor(viewer.legId, [red.legId, blue.legId]);
    expect(tiles).toHaveLength(2);
    await until(() => {
      const p = viewer.p.latest();
      return p !== undefined && near(p, tiles[0], RED) && near(p, tiles[1], BLUE);
    }, 15000, 'red and blue tiles');
    const stats = engine.videoStats(viewer.legId);
    expect(stats).toMatchObject({ codec: 'H264', width: W, height: H, direction: 'sendonly' });
    expect(stats.packetsOut).toBeGreaterThan(0);
    expect(stats.keyframesSent).toBeGreaterThanOrEqual(1);
    const redStats = engine.videoStats(red.legId);
    expect(redStats.packetsIn).toBeGreaterThan(0);
    expect(redStats.remoteSsrc).toBe(red.p.ssrc);
    expect(engine.videoRoomStats('room')).toMatchObject({ decoders: 2, encoders: 1 });
  });

  it('asks a camera that starts without a key frame for one (RTCP PLI and the engine event)', async () => {
    const green = await join('room', { colour: 'lime', startAt: 5 }, { direction: 'recvonly' });
    const viewer = await join('room', { receive: { width: W, height: H } }, { direction: 'sendonly' });
    await until(() => green.p.keyframeRequests.length > 0, 5000, 'PLI at the camera');
    expect(keyframeEvents).toContainEqual({ roomId: 'room', legId: green.legId });
    const [tile] = tilesFor(viewer.legId, [green.legId]);
    await until(() => {
      const p = viewer.p.latest();
      return p !== undefined && near(p, tile, LIME);
    }, 15000, 'green tile');
    expect(engine.videoStats(green.legId).keyframesRequested).toBeGreaterThanOrEqual(1);
  });

  it('answers a receiver PLI with a key frame', async () => {
    const red = await join('room', { colour: 'red' }, { direction: 'recvonly' });
    const viewer = await join('room', { receive: { width: W, height: H } }, { direction: 'sendonly' });
    const [tile] = tilesFor(viewer.legId, [red.legId]);
    await until(() => {
      const p = viewer.p.latest();
      return p !== undefined && near(p, tile, RED);
    }, 15000, 'red tile');
    // The encoder's rate limit (one key frame per second) has passed since its first IDR.
    await sleep(1100);
    const ourSsrc = engine.videoStats(viewer.legId).ssrc;
    const before = viewer.p.received.length;
    viewer.p.sendPli(ourSsrc);
    await until(() => viewer.p.received.slice(before).some((r) => r.keyframe), 5000, 'key frame after PLI');
    expect(engine.videoStats(viewer.legId).keyframeRequestsReceived).toBe(1);
    expect(engine.videoStats(viewer.legId).keyframesSent).toBeGreaterThanOrEqual(2);
    // Still decodable after the encoder handover.
    const decoded = viewer.p.picturesDecoded;
    await until(() => viewer.p.picturesDecoded > decoded + 10, 5000, 'pictures after the key frame');
    expect(near(viewer.p.latest() as RawPicture, tile, RED)).toBe(true);
  });

  it('keeps SSRC, sequence numbers and timestamps continuous across a layout change, without a gap', async () => {
    const red = await join('room', { colour: 'red' }, { direction: 'recvonly' });
    const blue = await join('room', { colour: 'blue' }, { direction: 'recvonly' });
    const viewer = await join('room', { receive: { width: W, height: H } }, { direction: 'sendonly' });
    const auto = tilesFor(viewer.legId, [red.legId, blue.legId]);
    await until(() => {
      const p = viewer.p.latest();
      return p !== undefined && near(p, auto[0], RED) && near(p, auto[1], BLUE);
    }, 15000, 'auto layout');

    const keyframesBefore = engine.videoStats(viewer.legId).keyframesSent;
    // Speaker layout: nobody spoke, so the first to join (red) is the large tile.
    engine.setLayout('room', { layout: 'speaker', selfView: false });
    expect(engine.layoutOf('room')).toEqual({ layout: 'speaker', selfView: false });
    const speaker = tilesFor(viewer.legId, [red.legId, blue.legId], 'speaker');
    await until(() => {
      const p = viewer.p.latest();
      return p !== undefined && near(p, speaker[0], RED) && near(p, speaker[1], BLUE);
    }, 15000, 'speaker layout');

    expect(engine.videoRoomStats('room')?.encoders).toBe(1);
    expect(engine.videoStats(viewer.legId).keyframesSent).toBe(keyframesBefore);
    const packets = viewer.p.received;
    const ourSsrc = engine.videoStats(viewer.legId).ssrc;
    expect(new Set(packets.map((r) => r.ssrc))).toEqual(new Set([ourSsrc]));
    let longestGapMs = 0;
    for (let i = 1; i < packets.length; i++) {
      expect(packets[i].sequenceNumber).toBe((packets[i - 1].sequenceNumber + 1) & 0xffff);
      expect((packets[i].timestamp - packets[i - 1].timestamp) | 0).toBeGreaterThanOrEqual(0);
      longestGapMs = Math.max(longestGapMs, packets[i].at - packets[i - 1].at);
    }
    expect(longestGapMs).toBeLessThan(1000);
  });

  /** An audio-only phone in the room (a tone, or silence). */
  async function phone(roomId: string, toneHz?: number): Promise<string> {
    const p = await new RtpTestParticipant({ codec: 'PCMU', payloadType: 0, toneHz, amplitude: 12000 }).open();
    phones.push(p);
    const alloc = await engine.allocateLeg();
    engine.startLeg(roomId, alloc, {
      remoteAddress: HOST,
      remotePort: p.port,
      rtcpMux: false,
      payloadType: 0,
      codec: 'PCMU',
      clockRate: 8000,
      channels: 1,
      ptimeMs: 20,
      direction: 'sendrecv',
    });
    p.start(alloc.localPort);
    return alloc.legId;
  }

  it('keeps a receiver stream without a gap while a camera joins and another leaves', async () => {
    const red = await join('room', { colour: 'red' }, { direction: 'recvonly' });
    const blue = await join('room', { colour: 'blue' }, { direction: 'recvonly' });
    const viewer = await join('room', { receive: { width: W, height: H } }, { direction: 'sendonly' });
    const before = tilesFor(viewer.legId, [red.legId, blue.legId]);
    await until(() => {
      const p = viewer.p.latest();
      return p !== undefined && near(p, before[0], RED) && near(p, before[1], BLUE);
    }, 15000, 'red and blue');
    const lime = await join('room', { colour: 'lime' }, { direction: 'recvonly' });
    await engine.stopLeg(blue.legId);
    // Participants in joining order: red, the viewer, lime.
    const after = computeLayout({
      layout: 'auto', width: W, height: H, selfView: false, viewerId: viewer.legId,
      participants: [red.legId, viewer.legId, lime.legId].map((id) => ({ id, name: id, hasVideo: id !== viewer.legId })),
    });
    await until(() => {
      const p = viewer.p.latest();
      return p !== undefined && near(p, after[0], RED) && near(p, after[1], LIME);
    }, 15000, 'red and lime');
    const packets = viewer.p.received;
    let longestGapMs = 0;
    for (let i = 1; i < packets.length; i++) {
      expect(packets[i].sequenceNumber).toBe((packets[i - 1].sequenceNumber + 1) & 0xffff);
      longestGapMs = Math.max(longestGapMs, packets[i].at - packets[i - 1].at);
    }
    expect(longestGapMs).toBeLessThan(1000);
    // The viewer's encoder took the new views: no other encoder, no extra key frame.
    expect(engine.videoRoomStats('room')).toMatchObject({ decoders: 2, encoders: 1 });
    expect(engine.videoStats(viewer.legId).keyframesSent).toBe(1);
  });

  it('shows an audio-only participant as a placeholder tile, and shares one encoder between receivers with the same view', async () => {
    const red = await join('room', { colour: 'red' }, { direction: 'recvonly' });
    const audioOnly = await phone('room');
    engine.setLayout('room', { layout: 'auto', selfView: true });
    const a = await join('room', { receive: { width: W, height: H } }, { direction: 'sendonly' });
    const b = await join('room', { receive: { width: W, height: H } }, { direction: 'sendonly' });
    // The room's audio legs in joining order, then video legs without an audio leg.
    const tiles = computeLayout({
      layout: 'auto',
      width: W,
      height: H,
      participants: [audioOnly, red.legId, a.legId, b.legId].map((id) => ({ id, name: id, hasVideo: id === red.legId })),
      selfView: true,
      viewerId: a.legId,
    });
    expect(tiles.map((t) => t.participantId)).toEqual([audioOnly, red.legId, a.legId, b.legId]);
    const check = (v: VideoTestParticipant): boolean => {
      const p = v.latest();
      return p !== undefined && near(p, tiles[1], RED) && near(p, tiles[0], PLACEHOLDER_COLOUR);
    };
    await until(() => check(a.p) && check(b.p), 15000, 'red tile and placeholder for both viewers');
    // One view, one codec, one size: one encoder for both receivers.
    expect(engine.videoRoomStats('room')).toMatchObject({ encoders: 1, decoders: 1, views: 1 });

    // Without self view the two views differ: two encoders, and the shared one stops after its grace period.
    engine.setLayout('room', { layout: 'auto', selfView: false });
    await until(() => engine.videoRoomStats('room')?.encoders === 3, 5000, 'two new encoders');
    await until(() => engine.videoRoomStats('room')?.encoders === 2, 8000, 'the unused encoder stopped');
    for (const v of [a, b]) {
      const own = computeLayout({
        layout: 'auto', width: W, height: H, selfView: false, viewerId: v.legId,
        participants: [audioOnly, red.legId, a.legId, b.legId].map((id) => ({ id, name: id, hasVideo: id === red.legId })),
      });
      // Three tiles: the third is centred in the bottom row, so its left end is black.
      expect(own.map((t) => t.participantId)).toEqual([audioOnly, red.legId, v === a ? b.legId : a.legId]);
      const leftEnd = { participantId: null, x: 0, y: own[2].y, w: own[2].x, h: own[2].h };
      await until(() => {
        const p = v.p.latest();
        return p !== undefined && near(p, own[1], RED) && near(p, own[2], PLACEHOLDER_COLOUR) && near(p, leftEnd, { y: 16, u: 128, v: 128 });
      }, 5000, 'own view after the split');
    }
  });

  it('turns an audio participant\'s placeholder into its camera when its video leg starts, on the same encoder', async () => {
    const viewer = await join('room', { receive: { width: W, height: H } }, { direction: 'sendonly' });
    const voice = await phone('room');
    engine.setDisplayName(voice, 'Alice');
    const tiles = computeLayout({
      layout: 'auto', width: W, height: H, selfView: false, viewerId: viewer.legId,
      participants: [voice, viewer.legId].map((id) => ({ id, name: id, hasVideo: false })),
    });
    expect(tiles.map((t) => t.participantId)).toEqual([voice]);
    await until(() => {
      const p = viewer.p.latest();
      return p !== undefined && near(p, tiles[0], PLACEHOLDER_COLOUR);
    }, 15000, 'placeholder');
    expect(engine.videoRoomStats('room')?.encoders).toBe(1);
    const camera = await join('room', { colour: 'red' }, { direction: 'recvonly' }, voice);
    await until(() => {
      const p = viewer.p.latest();
      return p !== undefined && near(p, tiles[0], RED);
    }, 15000, 'red camera in the same tile');
    expect(engine.videoRoomStats('room')).toMatchObject({ encoders: 1, decoders: 1 });
    expect(engine.videoStats(camera.legId).packetsIn).toBeGreaterThan(0);
  });

  it('follows the active speaker of the audio room through the paired audio leg (single layout)', async () => {
    const redVoice = await phone('room');
    const blueVoice = await phone('room', 1000);
    const red = await join('room', { colour: 'red' }, { direction: 'recvonly' }, redVoice);
    const blue = await join('room', { colour: 'blue' }, { direction: 'recvonly' }, blueVoice);
    engine.setLayout('room', { layout: 'single', selfView: false });
    const viewer = await join('room', { receive: { width: W, height: H } }, { direction: 'sendonly' });
    const [tile] = tilesFor(viewer.legId, [red.legId, blue.legId], 'single');
    await until(() => engine.activeSpeaker('room') === blueVoice, 8000, 'blue speaking');
    await until(() => {
      const p = viewer.p.latest();
      return p !== undefined && near(p, tile, BLUE);
    }, 15000, 'blue as the single tile');
  });

  it('decodes a VP8 camera (RFC 7741) next to an H.264 one', async () => {
    if (!capabilities.videoEncoders.libvpx) return;
    const red = await join('room', { colour: 'red' }, { direction: 'recvonly' });
    const blue = await join('room', { colour: 'blue', sendCodec: 'VP8', payloadType: 100 }, { direction: 'recvonly', codec: 'VP8', payloadType: 100 });
    const viewer = await join('room', { receive: { width: W, height: H } }, { direction: 'sendonly' });
    const tiles = tilesFor(viewer.legId, [red.legId, blue.legId]);
    await until(() => {
      const p = viewer.p.latest();
      return p !== undefined && near(p, tiles[0], RED) && near(p, tiles[1], BLUE);
    }, 15000, 'red and blue');
    expect(engine.videoStats(blue.legId)).toMatchObject({ codec: 'VP8', decodeErrors: 0 });
  });

  it('sends the composite in VP8 and H.264 to receivers of the same room', async () => {
    if (!capabilities.videoEncoders.libvpx) return;
    const red = await join('room', { colour: 'red' }, { direction: 'recvonly' });
    const vp8 = await join('room', { receive: { width: W, height: H, codec: 'VP8' } }, { direction: 'sendonly', codec: 'VP8', payloadType: 100 });
    const h264 = await join('room', { receive: { width: W, height: H } }, { direction: 'sendonly' });
    const forVp8 = computeLayout({
      layout: 'auto', width: W, height: H, selfView: false, viewerId: vp8.legId,
      participants: [red.legId, vp8.legId, h264.legId].map((id) => ({ id, name: id, hasVideo: id === red.legId })),
    });
    const forH264 = computeLayout({
      layout: 'auto', width: W, height: H, selfView: false, viewerId: h264.legId,
      participants: [red.legId, vp8.legId, h264.legId].map((id) => ({ id, name: id, hasVideo: id === red.legId })),
    });
    await until(() => {
      const p = vp8.p.latest();
      const q = h264.p.latest();
      return p !== undefined && q !== undefined && near(p, forVp8[0], RED) && near(q, forH264[0], RED);
    }, 15000, 'red tile in both codecs');
    expect(engine.videoStats(vp8.legId)).toMatchObject({ codec: 'VP8', payloadType: 100 });
  });

  it('switches a receiver that renegotiates H.264 to VP8 at a VP8 key frame, numbering on', async () => {
    if (!capabilities.videoEncoders.libvpx) return;
    const red = await join('room', { colour: 'red' }, { direction: 'recvonly' });
    const viewer = await join('room', { receive: { width: W, height: H } }, { direction: 'sendonly' });
    const [tile] = tilesFor(viewer.legId, [red.legId]);
    await until(() => {
      const p = viewer.p.latest();
      return p !== undefined && near(p, tile, RED);
    }, 15000, 'red tile');
    engine.updateVideoLeg(viewer.legId, { codec: 'VP8', payloadType: 100 });
    await until(() => viewer.p.received.filter((r) => r.payloadType === 100).length > 10, 8000, 'VP8 packets');
    const packets = viewer.p.received;
    const first = packets.findIndex((r) => r.payloadType === 100);
    expect(packets.slice(first).every((r) => r.payloadType === 100)).toBe(true);
    // The first VP8 packet starts a key frame: P bit clear and the start code 9d 01 2a (RFC 6386 §9.1).
    const { descriptor, length } = parseVp8PayloadDescriptor(packets[first].payload);
    expect(descriptor.startOfPartition).toBe(true);
    expect(packets[first].payload[length] & 0x01).toBe(0);
    expect(packets[first].payload.subarray(length + 3, length + 6).toString('hex')).toBe('9d012a');
    for (let i = 1; i < packets.length; i++) expect(packets[i].sequenceNumber).toBe((packets[i - 1].sequenceNumber + 1) & 0xffff);
    expect(engine.videoStats(viewer.legId)).toMatchObject({ codec: 'VP8', payloadType: 100 });
  });

  it('sends single NAL unit packets under the payload limit to an H.264 packetization-mode 0 receiver (RFC 6184 §6.2)', async () => {
    const red = await join('room', { colour: 'red' }, { direction: 'recvonly' });
    const viewer = await join('room', { receive: { width: W, height: H } }, { direction: 'sendonly', h264: { packetizationMode: 0 }, maxPayloadOctets: 600 });
    const [tile] = tilesFor(viewer.legId, [red.legId]);
    // The encoder's first picture (an IDR) is decodable: the periodic one comes only after 10 s.
    await until(() => {
      const p = viewer.p.latest();
      return p !== undefined && near(p, tile, RED);
    }, 5000, 'red tile');
    expect(viewer.p.received[0]).toMatchObject({ keyframe: false }); // the first packet is the SPS
    const types = new Set(viewer.p.received.map((r) => r.firstOctet & 0x1f));
    expect([...types].every((t) => t >= 1 && t <= 23)).toBe(true);
    expect(Math.max(...viewer.p.received.map((r) => r.octets))).toBeLessThanOrEqual(600);
    expect(engine.videoStats(viewer.legId).keyframesSent).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['H263-1998', 'h263p', 352, 288],
    ['H263', 'h263', 352, 288],
  ] as const)('sends the composite in %s (RFC 4629 / RFC 2190) at CIF', async (codec, encoder, width, height) => {
    if (!capabilities.videoEncoders[encoder]) return;
    const red = await join('room', { colour: 'red' }, { direction: 'recvonly' });
    const viewer = await join('room', { receive: { width, height, codec } }, { direction: 'sendonly', codec, payloadType: codec === 'H263' ? 34 : 97 });
    const [tile] = computeLayout({
      layout: 'auto', width, height, selfView: false, viewerId: viewer.legId,
      participants: [red.legId, viewer.legId].map((id) => ({ id, name: id, hasVideo: id === red.legId })),
    });
    await until(() => {
      const p = viewer.p.latest();
      return p !== undefined && near(p, tile, RED);
    }, 15000, `red tile in ${codec}`);
    expect(engine.videoStats(viewer.legId)).toMatchObject({ codec, width, height });
  });

  it.each([
    ['H.264', 'H264', '320x240'],
    ['VP8', 'VP8', '640x480'],
  ] as const)('letterboxes a 4:3 %s camera once: it fills a 4:3 CIF tile, and has bars only at the sides of a 16:9 one', async (_name, sendCodec, cameraSize) => {
    if (!capabilities.videoEncoders.h263p) return;
    // Two rooms of one camera and one receiver each, so each receiver's picture is that camera alone.
    const cameraParams = { direction: 'recvonly', codec: sendCodec } as const;
    await join('cif', { colour: 'red', sendCodec, cameraSize }, cameraParams);
    const cif = await join('cif', { receive: { width: 352, height: 288, codec: 'H263-1998' } }, { direction: 'sendonly', codec: 'H263-1998', payloadType: 97 });
    await join('wide', { colour: 'red', sendCodec, cameraSize }, cameraParams);
    const wide = await join('wide', { receive: { width: W, height: H } }, { direction: 'sendonly' });
    // CIF: one tile, the whole picture; its edges are the camera's, not bars.
    const cifEdges = [
      { x: 4, y: 4, w: 24, h: 280 },
      { x: 324, y: 4, w: 24, h: 280 },
      { x: 4, y: 4, w: 344, h: 24 },
      { x: 150, y: 262, w: 196, h: 22 },
    ];
    const isRed = (p: RawPicture, r: { x: number; y: number; w: number; h: number }): boolean => {
      const m = meanYuv(p, r);
      return Math.abs(m.y - RED.y) < 20 && Math.abs(m.u - RED.u) < 20 && Math.abs(m.v - RED.v) < 20;
    };
    await until(() => {
      const p = cif.p.latest();
      return p !== undefined && cifEdges.every((r) => isRed(p, r));
    }, 15000, 'the 4:3 camera filling the CIF picture to its edges');
    // 16:9: the camera is 480×360 in the middle, black bars of 80 columns at each side.
    await until(() => {
      const p = wide.p.latest();
      return p !== undefined && isRed(p, { x: 100, y: 4, w: 440, h: 300 }) && meanYuv(p, { x: 4, y: 4, w: 70, h: 352 }).y < 30 && meanYuv(p, { x: 566, y: 4, w: 70, h: 352 }).y < 30;
    }, 15000, 'the 4:3 camera pillarboxed once in the 16:9 picture');
  });

  it('encodes at the lower frame rate a receiver asks for, on the room clock (10 pictures/s: every 2nd or 3rd 40 ms frame)', async () => {
    const red = await join('room', { colour: 'red' }, { direction: 'recvonly' });
    const viewer = await join('room', { receive: { width: W, height: H } }, { direction: 'sendonly', frameRate: 10 });
    const [tile] = tilesFor(viewer.legId, [red.legId]);
    await until(() => {
      const p = viewer.p.latest();
      return p !== undefined && near(p, tile, RED);
    }, 15000, 'red tile');
    await until(() => viewer.p.received.filter((r) => r.marker).length > 20, 10000, '20 pictures');
    const stamps = viewer.p.received.filter((r) => r.marker).map((r) => r.timestamp);
    const deltas = stamps.slice(1).map((t, i) => (t - stamps[i]) >>> 0);
    expect(deltas).not.toContain(3600);
    expect(deltas.filter((d) => d === 7200 || d === 10800).length).toBeGreaterThanOrEqual(deltas.length * 0.8);
  });

  it('rejects unknown layouts and keeps the layout of a room without legs', () => {
    expect(engine.layoutOf('empty')).toEqual({ layout: 'auto', selfView: false });
    engine.setLayout('empty', { layout: 'single', selfView: true });
    expect(engine.layoutOf('empty')).toEqual({ layout: 'single', selfView: true });
    expect(() => engine.setLayout('empty', { layout: 'mosaic' as never, selfView: false })).toThrow(/Unknown layout/);
    engine.clearLayout('empty');
    expect(engine.layoutOf('empty')).toEqual({ layout: 'auto', selfView: false });
  });
});
