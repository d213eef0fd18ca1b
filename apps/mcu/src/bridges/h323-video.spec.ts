import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { H323Endpoint, h245SessionPorts, type H323VideoChannel, type OutgoingCall, type VideoCapabilityDescription } from '@mcu/h323';
import type { AudioLegParams, LegAllocation, VideoLegParams, VideoPayloadFormat } from '@mcu/media-mixer';
import { ConferenceManager } from '../conference/conference-manager';
import { RoomRepository } from '../conference/room-repository';
import { H323Bridge } from './h323-bridge';
import { EngineMediaSource, h323VideoCapabilities, h323VideoLegParams, type H323MediaPlane } from './h323-media';
import { silentLogger as silent, until } from '../testing/spec-helpers.fixture';

const LOCAL = '127.0.0.1';

/** A media plane that hands out fake ports and records the video calls the H.323 legs make. */
class FakePlane implements H323MediaPlane {
  next = 41_000;
  formats = new Set<VideoPayloadFormat>(['H264', 'H263']);
  readonly released: number[] = [];
  readonly audio: Array<{ participantId: string; params: AudioLegParams }> = [];
  readonly video: Array<{ participantId: string; localPort: number; params: VideoLegParams }> = [];
  readonly suspended: string[] = [];
  readonly keyframes: string[] = [];
  private readonly listeners = new Set<(participantId: string) => void>();

  async allocate(): Promise<LegAllocation> {
    const port = this.next;
    this.next += 2;
    return { legId: `leg-${port}`, localAddress: LOCAL, localPort: port, localRtcpPort: port + 1, release: () => this.released.push(port) };
  }
  connect(participantId: string, _allocation: LegAllocation, params: AudioLegParams): void {
    this.audio.push({ participantId, params });
  }
  prompt(): void {}
  stopPrompt(): void {}
  connectVideo(participantId: string, allocation: LegAllocation, params: VideoLegParams): void {
    this.video.push({ participantId, localPort: allocation.localPort, params });
  }
  suspendVideo(participantId: string): void {
    this.suspended.push(participantId);
  }
  requestKeyframe(participantId: string): void {
    this.keyframes.push(participantId);
  }
  onVideoKeyframeRequest(listener: (participantId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  supportsVideoCodec(format: VideoPayloadFormat): boolean {
    return this.formats.has(format);
  }
  /** The room wants a keyframe from `participantId`'s camera. */
  wantKeyframe(participantId: string): void {
    for (const l of this.listeners) l(participantId);
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
}

describe('h323VideoLegParams / h323VideoCapabilities', () => {
  const channel = (over: Partial<H323VideoChannel>): H323VideoChannel => ({
    kind: 'video',
    direction: 'send',
    codec: 'H264',
    payloadType: 96,
    clockRate: 90000,
    maxBitrateBps: 384_000,
    width: 352,
    height: 288,
    packetizationMode: 0,
    profileLevelId: '42e00d',
    localRtpPort: 41_002,
    channelNumber: 2,
    ...over,
  });

  it('H.264 both ways: our channel gives the address, format, mode 0, size, bitrate; no RTCP feedback, no rtcp-mux', () => {
    const params = h323VideoLegParams({
      send: channel({ remoteRtp: { address: '10.1.1.1', port: 5002 }, remoteRtcp: { address: '10.1.1.1', port: 5003 } }),
      receive: channel({ direction: 'receive', payloadType: 96 }),
    });
    expect(params).toEqual({
      remoteAddress: '10.1.1.1',
      remotePort: 5002,
      remoteRtcpPort: 5003,
      rtcpMux: false,
      payloadType: 96,
      codec: 'H264',
      clockRate: 90000,
      direction: 'sendrecv',
      h264: { packetizationMode: 0, profileLevelId: '42e00d' },
      maxBitrateBps: 384_000,
      width: 352,
      height: 288,
      feedback: { pli: false, fir: false },
    });
  });

  it('H.263 on payload type 34 at QCIF, send only; the peer’s channel alone is recvonly towards its RTCP address', () => {
    const h263 = { codec: 'H263' as const, payloadType: 34, width: 176, height: 144, packetizationMode: undefined, profileLevelId: undefined };
    const sendOnly = h323VideoLegParams({ send: channel({ ...h263, remoteRtp: { address: '10.1.1.1', port: 5002 } }) });
    expect(sendOnly).toMatchObject({ codec: 'H263', payloadType: 34, width: 176, height: 144, direction: 'sendonly', remoteRtcpPort: 5003 });
    expect(sendOnly?.h264).toBeUndefined();
    expect(h323VideoLegParams({ receive: channel({ ...h263, direction: 'receive', remoteRtcp: { address: '10.1.1.9', port: 7001 } }) })).toMatchObject({
      direction: 'recvonly',
      remoteAddress: '10.1.1.9',
      remotePort: 7000,
      remoteRtcpPort: 7001,
    });
    expect(h323VideoLegParams({ receive: channel({ direction: 'receive' }) })).toBeUndefined();
    expect(h323VideoLegParams({ send: channel({ maxBitrateBps: 0, remoteRtp: { address: '10.1.1.1', port: 5002 } }) })?.maxBitrateBps).toBeUndefined();
    expect(h323VideoLegParams({})).toBeUndefined();
  });

  it('announces only what the media plane supports', () => {
    expect(h323VideoCapabilities(undefined)).toEqual([]);
    expect(h323VideoCapabilities(() => false)).toEqual([]);
    expect(h323VideoCapabilities((f) => f === 'H263').map((c) => c.codec)).toEqual(['h263']);
    expect(h323VideoCapabilities(() => true).map((c) => c.codec)).toEqual(['h264', 'h263']);
  });
});

describe('H.323 video legs through the bridge (real endpoints, fake media plane)', () => {
  const prefix = `test:h323-video:${randomUUID()}:`;
  let redis: Redis;
  let conference: ConferenceManager;
  let plane: FakePlane;
  let mcu: H323Endpoint;
  let caller: H323Endpoint;
  let port: number;
  let number = 930_000 + Math.floor(Math.random() * 10_000) * 10;
  const calls: OutgoingCall[] = [];

  const start = async (callerVideo: readonly VideoCapabilityDescription[]) => {
    const source = new EngineMediaSource(plane, silent);
    const bridge = new H323Bridge({ conference, media: source, logger: silent });
    mcu = new H323Endpoint(bridge, {
      host: LOCAL,
      port: 0,
      h245: h245SessionPorts({ capabilities: { audio: ['g711Ulaw64k'], h264PacketizationModes: [0, 1] }, videoCapabilities: () => source.videoCapabilities() }),
    });
    port = (await mcu.listen()).port;
    caller = new H323Endpoint(
      { onSetup: (c) => c.reject('rejected') },
      { host: LOCAL, port: 0, codecs: ['g711Ulaw64k'], h245: h245SessionPorts({ capabilities: { audio: ['g711Ulaw64k'] }, videoCapabilities: () => callerVideo }) },
    );
  };

  const dial = async (fastStart: boolean, fastStartVideo: readonly VideoCapabilityDescription[] = []): Promise<{ call: OutgoingCall; roomId: string; videos: H323VideoChannel[]; fastUpdates: number[] }> => {
    const r = await conference.createRoom({ name: `Video ${number}`, number: String(number++) });
    const call = await caller.call({ address: LOCAL, port }, { localMedia: { address: LOCAL, rtpPort: 32_000, videoRtpPort: 32_002 }, destination: [{ type: 'dialedDigits', value: r.number }], fastStart, fastStartVideo });
    calls.push(call);
    const videos: H323VideoChannel[] = [];
    const fastUpdates: number[] = [];
    call.on('video', (c) => videos.push(c));
    call.on('videoFastUpdate', (n) => fastUpdates.push(n));
    return { call, roomId: r.id, videos, fastUpdates };
  };

  beforeAll(async () => {
    redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
    await redis.connect();
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  beforeEach(() => {
    conference = new ConferenceManager({ repository: new RoomRepository(redis, prefix), logger: silent });
    plane = new FakePlane();
  });

  afterEach(async () => {
    for (const c of calls.splice(0)) c.hangUp('normal');
    await caller?.close();
    await mcu?.close();
  });

  it.each([true, false])('fastStart %s: H.264 both ways on the second port pair; VFU both ways; ports released with the call', async (fastStart) => {
    await start([{ codec: 'h264', maxBitRate: 5000, profile: 64, level: 36 }]);
    const { call, roomId, videos, fastUpdates } = await dial(fastStart);
    const participant = await until(() => conference.listParticipants(roomId).find((p) => p.state === 'connected'));
    const started = await until(() => plane.video.find((v) => v.params.direction === 'sendrecv'));
    expect(started.participantId).toBe(participant.id);
    expect(started.localPort).toBe(41_002);
    expect(started.params).toMatchObject({ codec: 'H264', payloadType: 96, remoteAddress: LOCAL, remotePort: 32_002, remoteRtcpPort: 32_003, maxBitrateBps: 500_000, width: 352, height: 288, h264: { packetizationMode: 0, profileLevelId: '42e00d' }, rtcpMux: false });
    const send = await until(() => videos.find((v) => v.direction === 'send'));
    expect(send.remoteRtp).toEqual({ address: LOCAL, port: 41_002 });
    expect(plane.audio).toHaveLength(1);

    // The caller asks for an intra picture of the composite → the plane is told.
    const asked = await until(() => (call.requestVideoFastUpdate() ? true : undefined));
    expect(asked).toBe(true);
    await until(() => plane.keyframes.length === 1);
    expect(plane.keyframes).toEqual([participant.id]);
    // The room wants a keyframe from the caller's camera → videoFastUpdatePicture on the caller's channel; a
    // second request right after is held back by the rate limit.
    plane.wantKeyframe(participant.id);
    plane.wantKeyframe(participant.id);
    plane.wantKeyframe('someone-else');
    await until(() => fastUpdates.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(fastUpdates).toEqual([send.channelNumber]);

    call.hangUp('normal');
    await until(() => conference.listParticipants(roomId).length === 0);
    await until(() => plane.released.length === 2);
    expect(plane.released.sort()).toEqual([41_000, 41_002]);
    expect(plane.listenerCount).toBe(0);
  });

  it.each([true, false])('video proposed in Fast Connect (tunnelling %s) opens both ways without H.245 channels, and VFU still works', async (tunnelling) => {
    const h264: VideoCapabilityDescription = { codec: 'h264', maxBitRate: 5000, profile: 64, level: 36 };
    await start([h264]);
    const r = await conference.createRoom({ name: `Video ${number}`, number: String(number++) });
    const call = await caller.call(
      { address: LOCAL, port },
      { localMedia: { address: LOCAL, rtpPort: 32_000, videoRtpPort: 32_002 }, destination: [{ type: 'dialedDigits', value: r.number }], fastStart: true, tunnelling, fastStartVideo: [h264, { codec: 'h263', maxBitRate: 3000, cifMPI: 1 }] },
    );
    calls.push(call);
    const fastUpdates: number[] = [];
    call.on('videoFastUpdate', (n) => fastUpdates.push(n));
    const participant = await until(() => conference.listParticipants(r.id).find((p) => p.state === 'connected'));
    const started = await until(() => plane.video.find((v) => v.params.direction === 'sendrecv'));
    expect(started.params).toMatchObject({ codec: 'H264', payloadType: 96, remotePort: 32_002, remoteRtcpPort: 32_003, maxBitrateBps: 500_000, width: 352, height: 288 });
    await until(() => call.videoChannels.length === 2);
    expect(call.videoChannels.map((c) => [c.direction, c.codec, c.channelNumber]).sort()).toEqual([['receive', 'H264', 2], ['send', 'H264', 201]]);
    expect(call.videoChannels.find((c) => c.direction === 'send')?.remoteRtp).toEqual({ address: LOCAL, port: 41_002 });
    // H.245 still runs (tunnelled or separate) and knows the Fast Connect channels: VFU both ways.
    await until(() => (call.requestVideoFastUpdate() ? true : undefined));
    await until(() => plane.keyframes.length === 1);
    plane.wantKeyframe(participant.id);
    await until(() => fastUpdates.length === 1);
    expect(fastUpdates).toEqual([201]);
    await new Promise((res) => setTimeout(res, 200));
    expect(call.videoChannels).toHaveLength(2);
  });

  it('an H.263-only caller gets H.263 on payload type 34 at CIF', async () => {
    await start([{ codec: 'h263', maxBitRate: 3840, qcifMPI: 1, cifMPI: 2 }]);
    const { roomId } = await dial(true);
    await until(() => conference.listParticipants(roomId).find((p) => p.state === 'connected'));
    const started = await until(() => plane.video.find((v) => v.params.direction === 'sendrecv'));
    expect(started.params).toMatchObject({ codec: 'H263', payloadType: 34, width: 352, height: 288, maxBitrateBps: 384_000 });
    expect(started.params.h264).toBeUndefined();
  });

  it('a media plane without video: no second port pair, no video announced, the caller stays audio only', async () => {
    plane.formats.clear();
    await start([{ codec: 'h264', maxBitRate: 5000, profile: 64, level: 36 }]);
    const { call, roomId, videos } = await dial(false);
    await until(() => conference.listParticipants(roomId).find((p) => p.state === 'connected'));
    await until(() => call.mediaChannels.length === 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(videos).toEqual([]);
    expect(plane.video).toEqual([]);
    expect(plane.next).toBe(41_002);
  });
});
