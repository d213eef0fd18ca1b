import type Redis from 'ioredis';
import { DuplicateRoomNumberError, RoomNotFoundError } from './conference-errors';
import { isRoomLayout, ROOM_DEFAULTS, type Room } from './room';

/**
 * Room definitions in Redis. Layout of the keys (`<p>` = `MCU_REDIS_PREFIX`):
 *
 * - `<p>room:<id>`       hash: id, name, number, pin?, maxParticipants, locked, lobby, layout, selfView, createdAt
 *                          (records written before `selfView` existed read as `selfView: false`)
 * - `<p>room-numbers`    hash: number → id (the uniqueness index of numbers)
 * - `<p>rooms`           set of ids
 *
 * Every write that touches the number index runs as one Lua script, so two rooms can never end up
 * with the same number even when created concurrently (by this or another MCU process).
 */
export class RoomRepository {
  private readonly numbersKey: string;
  private readonly roomsKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {
    this.numbersKey = `${keyPrefix}room-numbers`;
    this.roomsKey = `${keyPrefix}rooms`;
  }

  /**
   * Stores a new room.
   *
   * @throws DuplicateRoomNumberError when another room has `room.number`.
   * @throws Error when a room with `room.id` already exists (ids are random; this means a bug).
   */
  async create(room: Room): Promise<void> {
    const outcome = await this.redis.eval(CREATE_SCRIPT, 3, this.roomKey(room.id), this.numbersKey, this.roomsKey, room.id, room.number, ...toHashFields(room));
    if (outcome === 'duplicate-number') throw new DuplicateRoomNumberError(room.number);
    if (outcome !== 'ok') throw new Error(`room id "${room.id}" already in use`);
  }

  /**
   * Replaces the stored definition of `room.id` with `room` (all fields; an absent `pin` removes it).
   *
   * @throws RoomNotFoundError when the room does not exist (any more).
   * @throws DuplicateRoomNumberError when `room.number` belongs to another room.
   */
  async update(room: Room): Promise<void> {
    const outcome = await this.redis.eval(UPDATE_SCRIPT, 2, this.roomKey(room.id), this.numbersKey, room.id, room.number, ...toHashFields(room));
    if (outcome === 'not-found') throw new RoomNotFoundError(room.id);
    if (outcome === 'duplicate-number') throw new DuplicateRoomNumberError(room.number);
  }

  /** Removes a room and its number; `false` when it did not exist. */
  async delete(id: string): Promise<boolean> {
    const removed = await this.redis.eval(DELETE_SCRIPT, 3, this.roomKey(id), this.numbersKey, this.roomsKey, id);
    return removed === 1;
  }

  /** The room with this id, `undefined` when there is none. */
  async get(id: string): Promise<Room | undefined> {
    return fromHash(await this.redis.hgetall(this.roomKey(id)));
  }

  /** The room with this dial number, `undefined` when there is none. */
  async findByNumber(number: string): Promise<Room | undefined> {
    const id = await this.redis.hget(this.numbersKey, number);
    return id === null ? undefined : this.get(id);
  }

  /** Every room, oldest first. */
  async list(): Promise<Room[]> {
    const ids = await this.redis.smembers(this.roomsKey);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.roomKey(id));
    const replies = (await pipeline.exec()) ?? [];
    const rooms: Room[] = [];
    for (const [err, hash] of replies) {
      if (err !== null) throw err;
      const room = fromHash(hash as Record<string, string>);
      if (room !== undefined) rooms.push(room);
    }
    return rooms.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  private roomKey(id: string): string {
    return `${this.keyPrefix}room:${id}`;
  }
}

/** KEYS: room, numbers, rooms. ARGV: id, number, field/value pairs. */
const CREATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 'id-taken' end
if redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[1]) == 0 then return 'duplicate-number' end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('SADD', KEYS[3], ARGV[1])
return 'ok'`;

/** KEYS: room, numbers. ARGV: id, number, field/value pairs (all fields of the room). */
const UPDATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'not-found' end
local old = redis.call('HGET', KEYS[1], 'number')
if old ~= ARGV[2] then
  local owner = redis.call('HGET', KEYS[2], ARGV[2])
  if owner and owner ~= ARGV[1] then return 'duplicate-number' end
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
  if old and redis.call('HGET', KEYS[2], old) == ARGV[1] then redis.call('HDEL', KEYS[2], old) end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
return 'ok'`;

/** KEYS: room, numbers, rooms. ARGV: id. */
const DELETE_SCRIPT = `
local number = redis.call('HGET', KEYS[1], 'number')
if not number then return 0 end
if redis.call('HGET', KEYS[2], number) == ARGV[1] then redis.call('HDEL', KEYS[2], number) end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
return 1`;

function toHashFields(room: Room): string[] {
  const fields = [
    'id', room.id,
    'name', room.name,
    'number', room.number,
    'maxParticipants', String(room.maxParticipants),
    'locked', String(room.locked),
    'lobby', String(room.lobby),
    'layout', room.layout,
    'selfView', String(room.selfView),
    'createdAt', room.createdAt,
  ];
  if (room.pin !== undefined) fields.push('pin', room.pin);
  return fields;
}

/**
 * A stored hash as a `Room`; `undefined` for an empty hash (no such key).
 *
 * @throws Error when a stored field is missing or malformed (a record not written by this class).
 */
function fromHash(hash: Record<string, string>): Room | undefined {
  if (Object.keys(hash).length === 0) return undefined;
  const { id, name, number, pin, maxParticipants, locked, lobby, layout, selfView, createdAt } = hash;
  const max = Number(maxParticipants);
  if (id === undefined || name === undefined || number === undefined || createdAt === undefined || !Number.isInteger(max) || !isRoomLayout(layout)) {
    throw new Error(`malformed room record in Redis: ${JSON.stringify({ id, number })}`);
  }
  return {
    id,
    name,
    number,
    ...(pin === undefined ? {} : { pin }),
    maxParticipants: max,
    locked: locked === 'true',
    lobby: lobby === 'true',
    layout,
    selfView: selfView === undefined ? ROOM_DEFAULTS.selfView : selfView === 'true',
    createdAt,
  };
}
