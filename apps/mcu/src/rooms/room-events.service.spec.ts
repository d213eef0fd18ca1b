import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { MessageEvent } from '@nestjs/common';
import Redis from 'ioredis';
import { RoomNotFoundError } from '../conference/conference-errors';
import { ConferenceManager } from '../conference/conference-manager';
import type { ParticipantSignalling } from '../conference/participant';
import { RoomRepository } from '../conference/room-repository';
import { RoomEventsService } from './room-events.service';
import { silentLogger as silent } from '../testing/spec-helpers.fixture';

const signalling: ParticipantSignalling = { hangup: async () => undefined, admit: async () => undefined, reject: async () => undefined };

describe('RoomEventsService: the room event streams', () => {
  const prefix = `test:room-events:${randomUUID()}:`;
  let redis: Redis;
  let conference: ConferenceManager;
  let service: RoomEventsService;
  let nextNumber = 980_000;

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
    service = new RoomEventsService(conference);
  });

  afterEach(async () => {
    await service.beforeApplicationShutdown();
  });

  async function join(roomId: string, name: string): Promise<string> {
    const result = await conference.join(roomId, { protocol: 'sip', displayName: name, remote: `sip:${name}@127.0.0.1`, signalling });
    if (!result.ok) throw new Error(result.reason);
    return result.participant.id;
  }

  it('streams join, mute, dtmf, active-speaker and leave of its room only, named by type', async () => {
    const room = await conference.createRoom({ name: 'A', number: String(nextNumber++) });
    const other = await conference.createRoom({ name: 'B', number: String(nextNumber++) });
    const received: MessageEvent[] = [];
    const subscription = (await service.stream(room.id)).subscribe((m) => received.push(m));

    const alice = await join(room.id, 'alice');
    await join(other.id, 'bob');
    conference.setMuted(room.id, alice, true);
    conference.reportDtmf(alice, '#', 'rtp');
    conference.setActiveSpeaker(room.id, alice);
    conference.leave(alice, 'caller hung up');
    subscription.unsubscribe();

    expect(received.map((m) => [m.type, m.data])).toEqual([
      ['join', { type: 'join', roomId: room.id, participantId: alice, displayName: 'alice', protocol: 'sip', state: 'connected' }],
      ['mute', { type: 'mute', roomId: room.id, participantId: alice, muted: true }],
      ['dtmf', { type: 'dtmf', roomId: room.id, participantId: alice, digit: '#', source: 'rtp' }],
      ['active-speaker', { type: 'active-speaker', roomId: room.id, participantId: alice }],
      ['leave', { type: 'leave', roomId: room.id, participantId: alice, reason: 'caller hung up' }],
      ['active-speaker', { type: 'active-speaker', roomId: room.id, participantId: null }],
    ]);
    const ids = received.map((m) => Number(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('streams layout changes of its room', async () => {
    const room = await conference.createRoom({ name: 'L', number: String(nextNumber++) });
    const other = await conference.createRoom({ name: 'M', number: String(nextNumber++) });
    const received: MessageEvent[] = [];
    const subscription = (await service.stream(room.id)).subscribe((m) => received.push(m));
    await conference.setLayout(room.id, { layout: 'speaker', selfView: true });
    await conference.setLayout(other.id, { layout: 'single' });
    await conference.updateRoom(room.id, { name: 'renamed' });
    subscription.unsubscribe();
    expect(received.map((m) => [m.type, m.data])).toEqual([['layout', { type: 'layout', roomId: room.id, layout: 'speaker', selfView: true }]]);
  });

  it('refuses an unknown room with 404', async () => {
    await expect(service.stream('nosuchroom00')).rejects.toBeInstanceOf(RoomNotFoundError);
  });

  it('completes a stream when its room is deleted', async () => {
    const room = await conference.createRoom({ name: 'C', number: String(nextNumber++) });
    let completed = false;
    (await service.stream(room.id)).subscribe({ complete: () => (completed = true) });
    await conference.deleteRoom(room.id);
    expect(completed).toBe(true);
  });

  it('on shutdown sends the leave events of the hung-up calls, completes every stream and waits for the responses to close', async () => {
    const room = await conference.createRoom({ name: 'D', number: String(nextNumber++) });
    const carol = await join(room.id, 'carol');
    const response = new EventEmitter();
    const received: MessageEvent[] = [];
    let completed = false;
    (await service.stream(room.id, response)).subscribe({ next: (m) => received.push(m), complete: () => (completed = true) });
    let done = false;
    const shutdown = service.beforeApplicationShutdown().then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(completed).toBe(true);
    expect(received.map((m) => [m.type, (m.data as { participantId: string }).participantId])).toEqual([['leave', carol]]);
    expect(done).toBe(false);
    response.emit('close');
    await shutdown;
    expect(done).toBe(true);
  });
});
