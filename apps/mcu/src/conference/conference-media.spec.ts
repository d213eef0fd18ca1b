import { randomUUID } from 'node:crypto';
import * as dgram from 'node:dgram';
import Redis from 'ioredis';
import { MediaEngine, TelephoneEvent, type AudioLegParams } from '@mcu/media-mixer';
import { RtpHeader, RtpPacket } from 'werift-rtp';
import { MediaNotStartedError, ParticipantNotFoundError } from './conference-errors';
import { ConferenceManager } from './conference-manager';
import { ConferenceMedia } from './conference-media';
import type { Participant, ParticipantSignalling } from './participant';
import { RoomRepository } from './room-repository';
import { silentLogger as silent } from '../testing/spec-helpers.fixture';


const signalling: ParticipantSignalling = { hangup: async () => undefined, admit: async () => undefined, reject: async () => undefined };

/** Polls `probe` every 10 ms, at most 200 times. */
async function until<T>(probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not met within 2 s');
}

describe('ConferenceMedia: the conference wired to the media plane', () => {
  const prefix = `test:conference-media:${randomUUID()}:`;
  let redis: Redis;
  let conference: ConferenceManager;
  let engine: MediaEngine;
  let media: ConferenceMedia;
  let peer: dgram.Socket;
  let peerPort: number;
  let nextNumber = 970_000;

  const params = (over: Partial<AudioLegParams> = {}): AudioLegParams => ({
    remoteAddress: '127.0.0.1',
    remotePort: peerPort,
    rtcpMux: false,
    payloadType: 0,
    codec: 'PCMU',
    clockRate: 8000,
    channels: 1,
    ptimeMs: 20,
    telephoneEventPt: 101,
    direction: 'sendrecv',
    ...over,
  });

  async function joined(roomId: string, name: string): Promise<Participant> {
    const result = await conference.join(roomId, { protocol: 'sip', displayName: name, remote: `sip:${name}@127.0.0.1:5062`, signalling });
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

  beforeEach(async () => {
    conference = new ConferenceManager({ repository: new RoomRepository(redis, prefix), logger: silent });
    const base = 30_000 + 2 * Math.floor(Math.random() * 10_000);
    engine = new MediaEngine({ portMin: base, portMax: base + 19, host: '127.0.0.1', publicAddress: '127.0.0.1' });
    media = new ConferenceMedia(conference, engine, silent);
    peer = dgram.createSocket('udp4');
    peer.on('message', () => undefined);
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
    peerPort = peer.address().port;
  });

  afterEach(async () => {
    media.close();
    await conference.shutdown();
    await engine.close();
    await new Promise<void>((resolve) => peer.close(() => resolve()));
  });

  it('starts the leg in the participant\'s room, mutes it with the participant and updates it on renegotiation', async () => {
    const room = await conference.createRoom({ name: 'Media', number: String(nextNumber++) });
    const alice = await joined(room.id, 'alice');
    const allocation = await media.allocate();
    expect(() => media.stats(room.id, alice.id)).toThrow(MediaNotStartedError);

    media.connect(alice.id, allocation, params());
    expect(engine.legsOf(room.id)).toEqual([allocation.legId]);
    expect(media.stats(room.id, alice.id)).toEqual(expect.objectContaining({ participantId: alice.id, codec: 'PCMU', muted: false, held: false, packetsIn: 0, roundTripMs: null }));

    conference.setMuted(room.id, alice.id, true);
    expect(engine.stats(allocation.legId).muted).toBe(true);
    conference.setMuted(room.id, alice.id, false);
    expect(engine.stats(allocation.legId).muted).toBe(false);

    // re-INVITE with a=sendonly from the caller: recvonly from our side, on hold.
    media.connect(alice.id, allocation, params({ direction: 'recvonly' }));
    expect(media.stats(room.id, alice.id)).toEqual(expect.objectContaining({ direction: 'recvonly', held: true }));
    media.suspend(alice.id);
    expect(media.stats(room.id, alice.id).direction).toBe('inactive');
  });

  it('applies a mute set before the media started', async () => {
    const room = await conference.createRoom({ name: 'Media', number: String(nextNumber++) });
    const bob = await joined(room.id, 'bob');
    conference.setMuted(room.id, bob.id, true);
    const allocation = await media.allocate();
    media.connect(bob.id, allocation, params());
    expect(engine.stats(allocation.legId).muted).toBe(true);
  });

  it('releases the leg and its ports when the participant leaves, and ignores media of departed participants', async () => {
    const room = await conference.createRoom({ name: 'Media', number: String(nextNumber++) });
    const carol = await joined(room.id, 'carol');
    const allocation = await media.allocate();
    media.connect(carol.id, allocation, params());
    expect(engine.portUsage().inUse).toBe(1);
    conference.leave(carol.id, 'caller hung up');
    await until(() => (engine.portUsage().inUse === 0 ? true : undefined));
    expect(engine.roomIds()).toEqual([]);
    expect(() => media.stats(room.id, carol.id)).toThrow(ParticipantNotFoundError);

    const late = await media.allocate();
    media.connect(carol.id, late, params());
    expect(engine.roomIds()).toEqual([]);
    late.release();
  });

  it('answers 404 for a participant of another room', async () => {
    const room = await conference.createRoom({ name: 'Media', number: String(nextNumber++) });
    const other = await conference.createRoom({ name: 'Other', number: String(nextNumber++) });
    const dave = await joined(room.id, 'dave');
    media.connect(dave.id, await media.allocate(), params());
    expect(() => media.stats(other.id, dave.id)).toThrow(ParticipantNotFoundError);
  });

  it('turns RFC 4733 digits received on a leg into conference DTMF events of its participant', async () => {
    const room = await conference.createRoom({ name: 'Media', number: String(nextNumber++) });
    const erin = await joined(room.id, 'erin');
    const allocation = await media.allocate();
    media.connect(erin.id, allocation, params());
    const digits: Array<{ participant: string; digit: string; source: string }> = [];
    conference.on('dtmf', (p, digit, source) => digits.push({ participant: p.id, digit, source }));

    // Digit 7: three updates then the end packet three times (RFC 4733 §2.5.1.4), one timestamp.
    const ssrc = 0x1234;
    const send = (seq: number, end: boolean, duration: number): Promise<void> => {
      const header = new RtpHeader({ payloadType: 101, sequenceNumber: seq, timestamp: 8000, ssrc, marker: seq === 1 });
      const packet = new RtpPacket(header, new TelephoneEvent(7, end, 10, duration).serialize()).serialize();
      return new Promise((resolve, reject) => peer.send(packet, allocation.localPort, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    };
    let seq = 1;
    for (const duration of [160, 320, 480]) await send(seq++, false, duration);
    for (let i = 0; i < 3; i++) await send(seq++, true, 640);

    const got = await until(() => digits[0]);
    expect(got).toEqual({ participant: erin.id, digit: '7', source: 'rtp' });
    await new Promise((r) => setTimeout(r, 50));
    expect(digits).toHaveLength(1);
  });

  it('keeps the room\'s active speaker in the conference and clears it when the speaker leaves', async () => {
    const room = await conference.createRoom({ name: 'Media', number: String(nextNumber++) });
    const frank = await joined(room.id, 'frank');
    const changes: Array<string | null> = [];
    conference.on('active-speaker', (roomId, id) => roomId === room.id && changes.push(id));
    conference.setActiveSpeaker(room.id, frank.id);
    conference.setActiveSpeaker(room.id, frank.id);
    expect(conference.activeSpeaker(room.id)).toBe(frank.id);
    conference.setActiveSpeaker(room.id, 'not-a-participant');
    expect(conference.activeSpeaker(room.id)).toBeNull();
    conference.setActiveSpeaker(room.id, frank.id);
    conference.leave(frank.id, 'caller hung up');
    expect(conference.activeSpeaker(room.id)).toBeNull();
    expect(changes).toEqual([frank.id, null, frank.id, null]);
  });
});
