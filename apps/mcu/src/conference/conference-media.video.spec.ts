import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { AudioLegParams, LegAllocation, MediaEngineEvents, RoomLayoutSettings, VideoLegParams, VideoLegStats, VideoPayloadFormat } from '@mcu/media-mixer';
import { ConferenceManager } from './conference-manager';
import { ConferenceMedia, type ConferenceMediaEngine } from './conference-media';
import type { Participant, ParticipantSignalling } from './participant';
import { RoomRepository } from './room-repository';
import { silentLogger as silent } from '../testing/spec-helpers.fixture';

const signalling: ParticipantSignalling = { hangup: async () => undefined, admit: async () => undefined, reject: async () => undefined };

/** Records what ConferenceMedia asks of the media plane; the video pipeline itself is tested in @mcu/media-mixer. */
class RecordingEngine {
  readonly calls: Array<[string, ...unknown[]]> = [];
  readonly released: string[] = [];
  readonly layouts = new Map<string, RoomLayoutSettings>();
  readonly videoFormats = new Set<VideoPayloadFormat>(['H264', 'VP8']);
  private next = 0;
  private readonly listeners = new Map<string, Set<(e: unknown) => void>>();

  allocateLeg = async (): Promise<LegAllocation> => {
    const legId = `leg-${++this.next}`;
    return { legId, localAddress: '127.0.0.1', localPort: 40_000 + 2 * this.next, localRtcpPort: 40_001 + 2 * this.next, release: () => void this.released.push(legId) };
  };
  startLeg = (roomId: string, allocation: LegAllocation, params: AudioLegParams): string => {
    this.calls.push(['startLeg', roomId, allocation.legId, params.codec]);
    return allocation.legId;
  };
  updateLeg = (legId: string, changes: Partial<AudioLegParams>): void => void this.calls.push(['updateLeg', legId, changes]);
  setMuted = (legId: string, muted: boolean): void => void this.calls.push(['setMuted', legId, muted]);
  stats = (legId: string) => ({ legId, codec: 'PCMU', payloadType: 0, ptimeMs: 20, direction: 'sendrecv', muted: false, held: false, packetsIn: 1, bytesIn: 160, packetsOut: 2, bytesOut: 320, lost: 0, fractionLost: 0, jitterMs: 0 }) as never;
  supportsCodec = (): boolean => true;
  startPrompt = (): void => undefined;
  stopPrompt = async (): Promise<void> => undefined;
  supportsVideoCodec = (format: VideoPayloadFormat): boolean => this.videoFormats.has(format);
  startVideoLeg = (roomId: string, allocation: LegAllocation, params: VideoLegParams, options: { displayName: string; audioLegId?: string }): string => {
    this.calls.push(['startVideoLeg', roomId, allocation.legId, params.codec, options]);
    return allocation.legId;
  };
  updateVideoLeg = (legId: string, changes: Partial<VideoLegParams>): void => void this.calls.push(['updateVideoLeg', legId, changes]);
  setDisplayName = (legId: string, name: string): void => void this.calls.push(['setDisplayName', legId, name]);
  requestKeyframe = (legId: string): void => void this.calls.push(['requestKeyframe', legId]);
  videoStats = (legId: string): VideoLegStats => ({
    legId, codec: 'H264', payloadType: 96, direction: 'sendrecv', width: 640, height: 360, ssrc: 1, packetsIn: 10, bytesIn: 10_000, packetsOut: 20, bytesOut: 20_000, packetsLost: 1,
    fpsIn: 25, fpsOut: 24, bitrateInBps: 500_000, bitrateOutBps: 800_000, keyframesRequested: 2, keyframeRequestsReceived: 3, keyframesSent: 4, decodeErrors: 5, processRestarts: 0,
  });
  setLayout = (roomId: string, settings: RoomLayoutSettings): void => {
    this.layouts.set(roomId, settings);
    this.calls.push(['setLayout', roomId, settings]);
  };
  clearLayout = (roomId: string): void => {
    this.layouts.delete(roomId);
    this.calls.push(['clearLayout', roomId]);
  };
  on = <K extends keyof MediaEngineEvents>(name: K, listener: (e: MediaEngineEvents[K]) => void): (() => void) => {
    const set = this.listeners.get(name) ?? new Set();
    this.listeners.set(name, set);
    set.add(listener as (e: unknown) => void);
    return () => set.delete(listener as (e: unknown) => void);
  };
  emit<K extends keyof MediaEngineEvents>(name: K, event: MediaEngineEvents[K]): void {
    for (const l of this.listeners.get(name) ?? []) l(event);
  }
}

const audio: AudioLegParams = { remoteAddress: '127.0.0.1', remotePort: 5004, rtcpMux: false, payloadType: 0, codec: 'PCMU', clockRate: 8000, channels: 1, ptimeMs: 20, direction: 'sendrecv' };
const video: VideoLegParams = { remoteAddress: '127.0.0.1', remotePort: 5006, rtcpMux: false, payloadType: 96, codec: 'H264', direction: 'sendrecv', h264: { packetizationMode: 1, profileLevelId: '42e01f' } };

describe('ConferenceMedia: video legs', () => {
  const prefix = `test:conference-media-video:${randomUUID()}:`;
  let redis: Redis;
  let conference: ConferenceManager;
  let engine: RecordingEngine;
  let media: ConferenceMedia;
  let nextNumber = 971_000 + Math.floor(Math.random() * 1000) * 10;

  async function joined(roomId: string, name: string): Promise<Participant> {
    const result = await conference.join(roomId, { protocol: 'sip', displayName: name, remote: `sip:${name}@127.0.0.1`, signalling });
    if (!result.ok) throw new Error(`join refused: ${result.reason}`);
    return result.participant;
  }

  beforeAll(async () => {
    redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
    await redis.connect();
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  beforeEach(() => {
    conference = new ConferenceManager({ repository: new RoomRepository(redis, prefix), logger: silent });
    engine = new RecordingEngine();
    media = new ConferenceMedia(conference, engine as unknown as ConferenceMediaEngine, silent);
  });

  afterEach(async () => {
    media.close();
    await conference.shutdown();
  });

  it('names the audio leg, starts the video leg paired with it, updates it on renegotiation and suspends it', async () => {
    const room = await conference.createRoom({ name: 'Video', number: String(nextNumber++) });
    const alice = await joined(room.id, 'Alice');
    const a = await media.allocate();
    const v = await media.allocate();
    media.connect(alice.id, a, audio);
    expect(engine.calls).toContainEqual(['setDisplayName', a.legId, 'Alice']);

    media.connectVideo(alice.id, v, video);
    expect(engine.calls).toContainEqual(['startVideoLeg', room.id, v.legId, 'H264', { displayName: 'Alice', audioLegId: a.legId }]);
    expect(media.hasVideo(alice.id)).toBe(true);

    media.connectVideo(alice.id, v, { ...video, direction: 'recvonly' });
    expect(engine.calls).toContainEqual(['updateVideoLeg', v.legId, expect.objectContaining({ direction: 'recvonly' })]);
    media.suspendVideo(alice.id);
    expect(engine.calls.at(-1)).toEqual(['updateVideoLeg', v.legId, { direction: 'inactive' }]);
    expect(engine.calls.filter((c) => c[0] === 'startVideoLeg')).toHaveLength(1);
  });

  it('replaces the video leg when the signalling moves it to another allocation', async () => {
    const room = await conference.createRoom({ name: 'Video', number: String(nextNumber++) });
    const bob = await joined(room.id, 'Bob');
    const first = await media.allocate();
    const second = await media.allocate();
    media.connectVideo(bob.id, first, video);
    media.connectVideo(bob.id, second, video);
    expect(engine.released).toEqual([first.legId]);
    expect(engine.calls.filter((c) => c[0] === 'startVideoLeg').map((c) => c[2])).toEqual([first.legId, second.legId]);
    // Without an audio leg the video leg starts unpaired.
    expect(engine.calls.find((c) => c[0] === 'startVideoLeg')?.[4]).toEqual({ displayName: 'Bob' });
  });

  it('ignores video of a participant no longer live and releases the video leg when the participant leaves', async () => {
    const room = await conference.createRoom({ name: 'Video', number: String(nextNumber++) });
    const carol = await joined(room.id, 'Carol');
    const a = await media.allocate();
    const v = await media.allocate();
    media.connect(carol.id, a, audio);
    media.connectVideo(carol.id, v, video);
    conference.leave(carol.id, 'caller hung up');
    expect(engine.released.sort()).toEqual([a.legId, v.legId].sort());
    expect(media.hasVideo(carol.id)).toBe(false);

    const late = await media.allocate();
    media.connectVideo(carol.id, late, video);
    expect(engine.calls.filter((c) => c[0] === 'startVideoLeg')).toHaveLength(1);
  });

  it('passes key frame requests both ways: from a participant to its encoder, from the room to the participant', async () => {
    const room = await conference.createRoom({ name: 'Video', number: String(nextNumber++) });
    const dave = await joined(room.id, 'Dave');
    const erin = await joined(room.id, 'Erin');
    const v = await media.allocate();
    media.connectVideo(dave.id, v, video);

    media.requestKeyframe(dave.id);
    media.requestKeyframe(erin.id); // no video leg: nothing to ask
    expect(engine.calls.filter((c) => c[0] === 'requestKeyframe')).toEqual([['requestKeyframe', v.legId]]);

    const wanted: string[] = [];
    const off = media.onVideoKeyframeRequest((id) => wanted.push(id));
    media.onVideoKeyframeRequest(() => {
      throw new Error('a faulty listener does not stop the others');
    });
    engine.emit('video-keyframe-request', { roomId: room.id, legId: v.legId });
    engine.emit('video-keyframe-request', { roomId: room.id, legId: 'unknown-leg' });
    expect(wanted).toEqual([dave.id]);
    off();
    engine.emit('video-keyframe-request', { roomId: room.id, legId: v.legId });
    expect(wanted).toEqual([dave.id]);
  });

  it('reports video statistics next to the audio ones, null without a video leg', async () => {
    const room = await conference.createRoom({ name: 'Video', number: String(nextNumber++) });
    const frank = await joined(room.id, 'Frank');
    media.connect(frank.id, await media.allocate(), audio);
    expect(media.stats(room.id, frank.id).video).toBeNull();
    media.connectVideo(frank.id, await media.allocate(), video);
    expect(media.stats(room.id, frank.id).video).toEqual({
      codec: 'H264', payloadType: 96, direction: 'sendrecv', width: 640, height: 360, fpsIn: 25, fpsOut: 24, bitrateIn: 500_000, bitrateOut: 800_000,
      packetsIn: 10, bytesIn: 10_000, packetsOut: 20, bytesOut: 20_000, packetsLost: 1, keyframesRequested: 2, keyframesSent: 4, keyframeRequestsReceived: 3, decodeErrors: 5, processRestarts: 0,
    });
  });

  it('gives the media plane each room\'s stored layout: at start-up, on the first join, on every change; forgets it with the room', async () => {
    const stored = await conference.createRoom({ name: 'Stored', number: String(nextNumber++), layout: 'speaker' });
    // A fresh ConferenceMedia (an MCU restart) over rooms already in Redis.
    media.close();
    engine = new RecordingEngine();
    media = new ConferenceMedia(conference, engine as unknown as ConferenceMediaEngine, silent);
    await media.loadLayouts();
    expect(engine.layouts.get(stored.id)).toEqual({ layout: 'speaker', selfView: false });

    // A room created by another process (not through this manager) is loaded on its first join.
    const other = new ConferenceManager({ repository: new RoomRepository(redis, prefix), logger: silent });
    const foreign = await other.createRoom({ name: 'Foreign', number: String(nextNumber++), layout: 'single' });
    expect(engine.layouts.has(foreign.id)).toBe(false);
    await joined(foreign.id, 'Gina');
    for (let i = 0; i < 100 && !engine.layouts.has(foreign.id); i++) await new Promise((r) => setTimeout(r, 10));
    expect(engine.layouts.get(foreign.id)).toEqual({ layout: 'single', selfView: false });

    await conference.setLayout(foreign.id, { layout: 'auto', selfView: true });
    expect(engine.layouts.get(foreign.id)).toEqual({ layout: 'auto', selfView: true });
    await conference.deleteRoom(foreign.id);
    expect(engine.layouts.has(foreign.id)).toBe(false);
    expect(engine.calls).toContainEqual(['clearLayout', foreign.id]);
  });

  it('asks the media plane which video formats it can run', () => {
    expect(media.supportsVideoCodec('VP8')).toBe(true);
    expect(media.supportsVideoCodec('H261')).toBe(false);
  });
});
