import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { ConferenceManager, type ConferenceLogger } from './conference-manager';
import { DuplicateRoomNumberError, InvalidLayoutError, ParticipantNotFoundError, ParticipantNotInLobbyError, RoomNotFoundError, SignallingFailedError } from './conference-errors';
import type { JoinRequest, Participant, ParticipantSignalling } from './participant';
import type { RoomInput } from './room';
import { RoomRepository } from './room-repository';
import { silentLogger as silent } from '../testing/spec-helpers.fixture';

/** A call leg as the bridges implement it, recording what the conference asked of it. */
class FakeSignalling implements ParticipantSignalling {
  readonly calls: string[] = [];
  readonly messages: Array<{ from: string; contentType: string; body: string }> = [];
  failAdmit = false;
  failHangup = false;

  async hangup(reason: string): Promise<void> {
    this.calls.push(`hangup:${reason}`);
    if (this.failHangup) throw new Error('transport closed');
  }
  async admit(): Promise<void> {
    this.calls.push('admit');
    if (this.failAdmit) throw new Error('INVITE transaction gone');
  }
  async reject(): Promise<void> {
    this.calls.push('reject');
  }
  async sendMessage(from: { id: string; displayName: string }, contentType: string, body: Buffer): Promise<void> {
    this.messages.push({ from: from.displayName, contentType, body: body.toString('utf8') });
  }
}


describe('ConferenceManager', () => {
  const prefix = `test:conference-manager:${randomUUID()}:`;
  let redis: Redis;
  let manager: ConferenceManager;

  const request = (displayName: string, extra: Partial<JoinRequest> = {}): JoinRequest & { signalling: FakeSignalling } => ({
    protocol: 'sip',
    displayName,
    remote: `sip:${displayName}@127.0.0.1:5062`,
    signalling: new FakeSignalling(),
    ...extra,
  }) as JoinRequest & { signalling: FakeSignalling };

  let nextNumber = 900_000;
  const room = (overrides: Partial<RoomInput> = {}) => manager.createRoom({ name: 'Board', number: String(nextNumber++), ...overrides });

  async function joined(roomId: string, req: JoinRequest): Promise<Participant> {
    const result = await manager.join(roomId, req);
    if (!result.ok) throw new Error(`join refused: ${result.reason}`);
    return result.participant;
  }

  beforeAll(async () => {
    redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
    await redis.connect();
  });

  beforeEach(() => {
    manager = new ConferenceManager({ repository: new RoomRepository(redis, prefix), logger: silent, now: () => new Date('2026-01-02T03:04:05.000Z') });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  describe('rooms', () => {
    it('creates rooms with defaults and persists them', async () => {
      const created = await manager.createRoom({ name: 'Weekly', number: '4711' });
      expect(created).toEqual({ id: expect.stringMatching(/^[a-z][a-z0-9]{11}$/), name: 'Weekly', number: '4711', maxParticipants: 50, locked: false, lobby: false, layout: 'auto', selfView: false, createdAt: '2026-01-02T03:04:05.000Z' });
      const other = new ConferenceManager({ repository: new RoomRepository(redis, prefix), logger: silent });
      expect(await other.getRoom(created.id)).toEqual(created);
    });

    it('keeps numbers unique on create and update, and frees a number on delete', async () => {
      const a = await manager.createRoom({ name: 'A', number: '5001' });
      const b = await manager.createRoom({ name: 'B', number: '5002' });
      await expect(manager.createRoom({ name: 'C', number: '5001' })).rejects.toBeInstanceOf(DuplicateRoomNumberError);
      await expect(manager.updateRoom(b.id, { number: '5001' })).rejects.toBeInstanceOf(DuplicateRoomNumberError);
      expect((await manager.getRoom(b.id)).number).toBe('5002');
      await manager.updateRoom(a.id, { number: '5003' });
      expect((await manager.createRoom({ name: 'C', number: '5001' })).number).toBe('5001');
      await manager.deleteRoom(b.id);
      expect((await manager.createRoom({ name: 'D', number: '5002' })).number).toBe('5002');
    });

    it('allows only one of two concurrent creates with the same number', async () => {
      const outcomes = await Promise.allSettled([manager.createRoom({ name: 'X', number: '6001' }), manager.createRoom({ name: 'Y', number: '6001' })]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    });

    it('updates fields and removes the PIN with null', async () => {
      const r = await room({ pin: '1234' });
      const updated = await manager.updateRoom(r.id, { name: 'Renamed', locked: true, maxParticipants: 3, layout: 'speaker' });
      expect(updated).toMatchObject({ name: 'Renamed', locked: true, maxParticipants: 3, layout: 'speaker', pin: '1234', number: r.number });
      const noPin = await manager.updateRoom(r.id, { pin: null });
      expect(noPin.pin).toBeUndefined();
      expect((await manager.getRoom(r.id)).pin).toBeUndefined();
    });

    it('sets the video layout with self view, persists it and emits room-layout only on a change', async () => {
      const r = await room();
      expect(r).toMatchObject({ layout: 'auto', selfView: false });
      const layouts: string[] = [];
      manager.on('room-layout', (changed) => changed.id === r.id && layouts.push(`${changed.layout}/${changed.selfView}`));

      expect(await manager.setLayout(r.id, { layout: 'speaker', selfView: true })).toMatchObject({ id: r.id, layout: 'speaker', selfView: true });
      expect(await manager.getRoom(r.id)).toMatchObject({ layout: 'speaker', selfView: true });
      await manager.setLayout(r.id, { layout: 'speaker', selfView: true });
      // selfView left out means the default, false.
      expect(await manager.setLayout(r.id, { layout: 'single' })).toMatchObject({ layout: 'single', selfView: false });
      await manager.updateRoom(r.id, { name: 'Renamed' });
      await manager.updateRoom(r.id, { layout: 'auto' });
      expect(layouts).toEqual(['speaker/true', 'single/false', 'auto/false']);
    });

    it('refuses unknown layouts and non-boolean self view, naming the field, and 404s unknown rooms', async () => {
      const r = await room();
      const bad = async (settings: { layout: unknown; selfView?: unknown }): Promise<InvalidLayoutError> => {
        const err: unknown = await manager.setLayout(r.id, settings).then(() => undefined, (e: unknown) => e);
        if (!(err instanceof InvalidLayoutError)) throw new Error(`expected InvalidLayoutError, got ${String(err)}`);
        return err;
      };
      expect(await bad({ layout: 'mosaic' })).toMatchObject({ field: 'layout', statusCode: 400 });
      expect(await bad({ layout: undefined })).toMatchObject({ field: 'layout' });
      expect(await bad({ layout: 'auto', selfView: 'yes' })).toMatchObject({ field: 'selfView' });
      expect(await manager.getRoom(r.id)).toMatchObject({ layout: 'auto', selfView: false });
      await expect(manager.setLayout('nosuchroom00', { layout: 'auto' })).rejects.toBeInstanceOf(RoomNotFoundError);
    });

    it('reads rooms stored before self view existed as selfView false', async () => {
      const r = await room();
      await redis.hdel(`${prefix}room:${r.id}`, 'selfView');
      expect(await manager.getRoom(r.id)).toMatchObject({ id: r.id, layout: 'auto', selfView: false });
    });

    it('404s unknown rooms', async () => {
      await expect(manager.getRoom('nosuchroom00')).rejects.toBeInstanceOf(RoomNotFoundError);
      await expect(manager.updateRoom('nosuchroom00', { locked: true })).rejects.toBeInstanceOf(RoomNotFoundError);
      await expect(manager.deleteRoom('nosuchroom00')).rejects.toBeInstanceOf(RoomNotFoundError);
    });

    it('emits room events', async () => {
      const seen: string[] = [];
      manager.on('room-created', (r) => seen.push(`created:${r.name}`));
      manager.on('room-updated', (r, previous) => seen.push(`updated:${previous.name}->${r.name}`));
      manager.on('room-deleted', (r) => seen.push(`deleted:${r.name}`));
      const r = await room({ name: 'E1' });
      await manager.updateRoom(r.id, { name: 'E2' });
      await manager.deleteRoom(r.id);
      expect(seen).toEqual(['created:E1', 'updated:E1->E2', 'deleted:E2']);
    });

    it('deleting a room hangs up its calls', async () => {
      const r = await room();
      const alice = request('alice');
      const p = await joined(r.id, alice);
      const left: string[] = [];
      manager.on('participant-left', (q, reason) => left.push(`${q.id}:${q.state}:${reason}`));
      await manager.deleteRoom(r.id);
      expect(alice.signalling.calls).toEqual(['hangup:room deleted']);
      expect(left).toEqual([`${p.id}:left:room deleted`]);
      expect(manager.listParticipants(r.id)).toEqual([]);
    });
  });

  describe('resolveDialString', () => {
    it('finds rooms by number, number*pin, id and name', async () => {
      const r = await manager.createRoom({ name: 'Sales Team', number: '7001', pin: '99' });
      await expect(manager.resolveDialString('7001')).resolves.toEqual({ room: r });
      await expect(manager.resolveDialString('7001*99')).resolves.toEqual({ room: r, pin: '99' });
      await expect(manager.resolveDialString(r.id)).resolves.toEqual({ room: r });
      await expect(manager.resolveDialString(`${r.id.toUpperCase()}*12`)).resolves.toEqual({ room: r, pin: '12' });
      await expect(manager.resolveDialString('sales team')).resolves.toEqual({ room: r });
      await expect(manager.resolveDialString('7999')).resolves.toBeUndefined();
      await expect(manager.resolveDialString('nobody')).resolves.toBeUndefined();
      await expect(manager.resolveDialString('  ')).resolves.toBeUndefined();
    });

    it('refuses a name shared by several rooms', async () => {
      await manager.createRoom({ name: 'Twin', number: '7101' });
      await manager.createRoom({ name: 'twin', number: '7102' });
      await expect(manager.resolveDialString('Twin')).resolves.toBeUndefined();
    });
  });

  describe('join', () => {
    it('admits into a plain room as connected and lists the participant', async () => {
      const r = await room();
      const events: string[] = [];
      manager.on('participant-joined', (p) => events.push(`joined:${p.state}`));
      manager.on('participant-updated', (p) => events.push(`updated:${p.state}`));
      const result = await manager.join(r.id, request('alice'));
      expect(result).toEqual({
        ok: true,
        lobby: false,
        participant: { id: expect.any(String), roomId: r.id, protocol: 'sip', displayName: 'alice', remote: 'sip:alice@127.0.0.1:5062', state: 'connected', muted: false, joinedAt: '2026-01-02T03:04:05.000Z' },
      });
      if (!result.ok) return;
      manager.markConnected(result.participant.id);
      manager.markConnected(result.participant.id);
      expect(events).toEqual(['joined:connected', 'updated:connected']);
      expect(manager.listParticipants(r.id)).toEqual([result.participant]);
    });

    it('refuses unknown rooms', async () => {
      await expect(manager.join('nosuchroom00', request('a'))).resolves.toEqual({ ok: false, reason: 'not-found' });
    });

    it('checks the PIN', async () => {
      const r = await room({ pin: '2468' });
      await expect(manager.join(r.id, request('a'))).resolves.toEqual({ ok: false, reason: 'pin-required' });
      await expect(manager.join(r.id, request('a', { pin: '' }))).resolves.toEqual({ ok: false, reason: 'pin-required' });
      await expect(manager.join(r.id, request('a', { pin: '2469' }))).resolves.toEqual({ ok: false, reason: 'wrong-pin' });
      await expect(manager.join(r.id, request('a', { pin: '24680' }))).resolves.toEqual({ ok: false, reason: 'wrong-pin' });
      await expect(manager.join(r.id, request('a', { pin: '2468' }))).resolves.toMatchObject({ ok: true });
      expect(manager.listParticipants(r.id)).toHaveLength(1);
    });

    it('refuses locked rooms', async () => {
      const r = await room({ locked: true });
      await expect(manager.join(r.id, request('a'))).resolves.toEqual({ ok: false, reason: 'locked' });
      await manager.updateRoom(r.id, { locked: false });
      await expect(manager.join(r.id, request('a'))).resolves.toMatchObject({ ok: true });
    });

    it('refuses joins beyond maxParticipants, counting the lobby, and admits again after a leave', async () => {
      const r = await room({ maxParticipants: 2, lobby: true });
      const first = await joined(r.id, request('a'));
      await joined(r.id, request('b'));
      await expect(manager.join(r.id, request('c'))).resolves.toEqual({ ok: false, reason: 'full' });
      manager.leave(first.id, 'BYE');
      await expect(manager.join(r.id, request('c'))).resolves.toMatchObject({ ok: true });
    });

    it('never exceeds maxParticipants with concurrent joins', async () => {
      const r = await room({ maxParticipants: 3 });
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => manager.join(r.id, request(`p${i}`))));
      expect(results.filter((x) => x.ok)).toHaveLength(3);
      expect(manager.listParticipants(r.id)).toHaveLength(3);
    });
  });

  describe('lobby', () => {
    it('holds callers in the lobby until admitted', async () => {
      const r = await room({ lobby: true });
      const alice = request('alice');
      const result = await manager.join(r.id, alice);
      expect(result).toMatchObject({ ok: true, lobby: true, participant: { state: 'lobby' } });
      if (!result.ok) return;
      const updates: string[] = [];
      manager.on('participant-updated', (p) => updates.push(p.state));
      manager.markConnected(result.participant.id); // before admission: ignored
      await manager.admit(r.id, result.participant.id);
      expect(alice.signalling.calls).toEqual(['admit']);
      expect(manager.getParticipant(r.id, result.participant.id).state).toBe('connected');
      await expect(manager.admit(r.id, result.participant.id)).rejects.toBeInstanceOf(ParticipantNotInLobbyError);
      await expect(manager.reject(r.id, result.participant.id)).rejects.toBeInstanceOf(ParticipantNotInLobbyError);
      expect(updates).toEqual(['connected']);
    });

    it('rejects lobby callers and removes them', async () => {
      const r = await room({ lobby: true });
      const bob = request('bob');
      const p = await joined(r.id, bob);
      const left: string[] = [];
      manager.on('participant-left', (q, reason) => left.push(reason));
      await manager.reject(r.id, p.id);
      expect(bob.signalling.calls).toEqual(['reject']);
      expect(left).toEqual(['rejected by operator']);
      expect(manager.listParticipants(r.id)).toEqual([]);
      await expect(manager.reject(r.id, p.id)).rejects.toBeInstanceOf(ParticipantNotFoundError);
    });

    it('allows one decision at a time', async () => {
      const r = await room({ lobby: true });
      const p = await joined(r.id, request('c'));
      const first = manager.admit(r.id, p.id);
      await expect(manager.admit(r.id, p.id)).rejects.toBeInstanceOf(ParticipantNotInLobbyError);
      await expect(manager.reject(r.id, p.id)).rejects.toBeInstanceOf(ParticipantNotInLobbyError);
      await first;
    });

    it('removes a participant whose admission fails and reports 502', async () => {
      const r = await room({ lobby: true });
      const dave = request('dave');
      dave.signalling.failAdmit = true;
      const p = await joined(r.id, dave);
      await expect(manager.admit(r.id, p.id)).rejects.toBeInstanceOf(SignallingFailedError);
      expect(manager.listParticipants(r.id)).toEqual([]);
    });

    it('admits everyone waiting when the lobby is turned off', async () => {
      const r = await room({ lobby: true });
      const a = request('a');
      const b = request('b');
      await joined(r.id, a);
      await joined(r.id, b);
      await manager.updateRoom(r.id, { lobby: false });
      expect([a.signalling.calls, b.signalling.calls]).toEqual([['admit'], ['admit']]);
      expect(manager.listParticipants(r.id).map((p) => p.state)).toEqual(['connected', 'connected']);
    });
  });

  describe('leave and hangup', () => {
    it('leave is idempotent and emits once', async () => {
      const r = await room();
      const p = await joined(r.id, request('a'));
      const left: Participant[] = [];
      manager.on('participant-left', (q) => left.push(q));
      manager.leave(p.id, 'BYE');
      manager.leave(p.id, 'BYE');
      manager.leave('unknown', 'BYE');
      expect(left).toEqual([{ ...p, state: 'left' }]);
      expect(() => manager.getParticipant(r.id, p.id)).toThrow(ParticipantNotFoundError);
    });

    it('operator hangup signals once and removes the participant, even when signalling fails', async () => {
      const r = await room();
      const a = request('a');
      a.signalling.failHangup = true;
      const p = await joined(r.id, a);
      await Promise.all([manager.hangup(r.id, p.id), manager.hangup(r.id, p.id)]);
      expect(a.signalling.calls).toEqual(['hangup:hung up by operator']);
      expect(manager.listParticipants(r.id)).toEqual([]);
      await expect(manager.hangup(r.id, p.id)).rejects.toBeInstanceOf(ParticipantNotFoundError);
    });

    it('does not find a participant through another room', async () => {
      const r1 = await room();
      const r2 = await room();
      const p = await joined(r1.id, request('a'));
      await expect(manager.hangup(r2.id, p.id)).rejects.toBeInstanceOf(ParticipantNotFoundError);
      expect(() => manager.setMuted(r2.id, p.id, true)).toThrow(ParticipantNotFoundError);
    });
  });

  it('stores the mute flag and emits an update only on change', async () => {
    const r = await room();
    const p = await joined(r.id, request('a'));
    const updates: boolean[] = [];
    manager.on('participant-updated', (q) => updates.push(q.muted));
    expect(manager.setMuted(r.id, p.id, true).muted).toBe(true);
    manager.setMuted(r.id, p.id, true);
    expect(manager.setMuted(r.id, p.id, false).muted).toBe(false);
    expect(updates).toEqual([true, false]);
  });

  it('relays messages to the other connected participants that can receive them', async () => {
    const r = await room();
    const other = await room();
    const a = request('alice');
    const b = request('bob');
    const noMessages: ParticipantSignalling = { hangup: async () => undefined, admit: async () => undefined, reject: async () => undefined };
    const elsewhere = request('eve');
    const pa = await joined(r.id, a);
    await joined(r.id, b);
    await joined(r.id, request('carol', { signalling: noMessages }));
    await joined(other.id, elsewhere);
    await manager.relayMessage(pa.id, 'text/plain', Buffer.from('hello'));
    expect(b.signalling.messages).toEqual([{ from: 'alice', contentType: 'text/plain', body: 'hello' }]);
    expect(a.signalling.messages).toEqual([]);
    expect(elsewhere.signalling.messages).toEqual([]);
    await expect(manager.relayMessage('unknown', 'text/plain', Buffer.from('x'))).rejects.toBeInstanceOf(ParticipantNotFoundError);
  });

  it('does not relay messages from or to the lobby', async () => {
    const r = await room({ lobby: true });
    const a = request('a');
    const b = request('b');
    const pa = await joined(r.id, a);
    const pb = await joined(r.id, b);
    await manager.relayMessage(pa.id, 'text/plain', Buffer.from('from lobby'));
    expect(b.signalling.messages).toEqual([]);
    await manager.admit(r.id, pb.id);
    await manager.relayMessage(pb.id, 'text/plain', Buffer.from('to lobby'));
    expect(a.signalling.messages).toEqual([]);
  });

  it('keeps emitting when a listener throws', async () => {
    const errors: string[] = [];
    const logger: ConferenceLogger = { ...silent, error: (obj) => errors.push(JSON.stringify(obj)) };
    manager = new ConferenceManager({ repository: new RoomRepository(redis, prefix), logger });
    const seen: string[] = [];
    manager.on('room-created', () => {
      throw new Error('listener bug');
    });
    manager.on('room-created', (r) => seen.push(r.name));
    await room({ name: 'Resilient' });
    expect(seen).toEqual(['Resilient']);
    expect(errors.join()).toContain('listener bug');
  });

  it('shutdown hangs up every call and refuses new joins', async () => {
    const r1 = await room();
    const r2 = await room({ lobby: true });
    const a = request('a');
    const b = request('b');
    await joined(r1.id, a);
    await joined(r2.id, b);
    await manager.shutdown();
    expect(a.signalling.calls).toEqual(['hangup:shutdown']);
    expect(b.signalling.calls).toEqual(['hangup:shutdown']);
    expect(manager.listParticipants(r1.id)).toEqual([]);
    await expect(manager.join(r1.id, request('late'))).resolves.toEqual({ ok: false, reason: 'locked' });
  });

  it('shutdown gives up on hang-ups that never finish', async () => {
    manager = new ConferenceManager({ repository: new RoomRepository(redis, prefix), logger: silent, shutdownTimeoutMs: 1000 });
    const r = await room();
    const stuck: ParticipantSignalling = { hangup: () => new Promise<void>(() => undefined), admit: async () => undefined, reject: async () => undefined };
    const p = await joined(r.id, request('stuck', { signalling: stuck }));
    const left: string[] = [];
    manager.on('participant-left', (q, reason) => left.push(`${q.id}:${reason}`));
    jest.useFakeTimers();
    try {
      const done = manager.shutdown();
      await jest.advanceTimersByTimeAsync(999);
      expect(left).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      await done;
      expect(left).toEqual([`${p.id}:shutdown`]);
      expect(manager.listParticipants(r.id)).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });
});
