import { timingSafeEqual } from 'node:crypto';
import { errorFields } from '../logging/logger';
import { InvalidLayoutError, ParticipantNotFoundError, ParticipantNotInLobbyError, RoomNotFoundError, SignallingFailedError } from './conference-errors';
import { ConferenceEventEmitter, type ConferenceEvents, type ConferenceListener, type DtmfSource } from './conference-events';
import { parseDialString } from './dial-string';
import { generateParticipantId, type JoinRequest, type JoinResult, type Participant } from './participant';
import { ROOM_DEFAULTS, ROOM_LAYOUTS, generateRoomId, isRoomLayout, type Room, type RoomInput, type RoomLayoutChoice, type RoomPatch } from './room';
import type { RoomRepository } from './room-repository';
import { Roster, type RosterEntry } from './roster';

/** The logging calls the manager makes (pino and `McuLogger` fit). */
export interface ConferenceLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Construction options of `ConferenceManager`. */
export interface ConferenceManagerOptions {
  readonly repository: RoomRepository;
  readonly logger: ConferenceLogger;
  /** Wall clock for `joinedAt`/`createdAt` (default `() => new Date()`). */
  readonly now?: () => Date;
  /** How long `shutdown()` waits for the calls' hang-ups before dropping them, ms (default 5000). */
  readonly shutdownTimeoutMs?: number;
}

/**
 * The conference: room definitions (persisted through `RoomRepository`) and the live roster of
 * call legs (in memory). The only code that sees both signalling and media: signalling bridges call
 * `resolveDialString` / `join` / `markConnected` / `leave` / `relayMessage`; the REST layer calls
 * the room and operator methods; media listens to the events (`on('participant-joined', …)`).
 *
 * Framework-free; the Nest provider lives in `conference.module.ts` (token: this class).
 */
export class ConferenceManager {
  private readonly roster = new Roster();
  /** Active speaker per room (participant id); rooms without one are absent. */
  private readonly speakers = new Map<string, string>();
  private readonly events: ConferenceEventEmitter;
  private readonly repository: RoomRepository;
  private readonly logger: ConferenceLogger;
  private readonly now: () => Date;
  private readonly shutdownTimeoutMs: number;
  private shuttingDown = false;

  constructor(options: ConferenceManagerOptions) {
    this.repository = options.repository;
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? 5000;
    this.events = new ConferenceEventEmitter((event, err) => this.logger.error({ event, ...errorFields(err) }, 'conference event listener threw'));
  }

  /** Subscribes to an event (see `ConferenceEvents`); returns the unsubscribe function. */
  on<E extends keyof ConferenceEvents>(event: E, listener: ConferenceListener<E>): () => void {
    return this.events.on(event, listener);
  }

  /** Removes a listener added with `on`. */
  off<E extends keyof ConferenceEvents>(event: E, listener: ConferenceListener<E>): void {
    this.events.off(event, listener);
  }

  // ── Rooms ────────────────────────────────────────────────────────────────────────────────────

  /**
   * Creates and stores a room (defaults: maxParticipants 50, unlocked, no lobby, layout `auto`).
   * Field formats are the DTO's job; this checks uniqueness.
   *
   * @throws DuplicateRoomNumberError (409) when another room has `input.number`.
   */
  async createRoom(input: RoomInput): Promise<Room> {
    const room: Room = {
      id: generateRoomId(),
      name: input.name,
      number: input.number,
      ...(input.pin === undefined ? {} : { pin: input.pin }),
      maxParticipants: input.maxParticipants ?? ROOM_DEFAULTS.maxParticipants,
      locked: input.locked ?? ROOM_DEFAULTS.locked,
      lobby: input.lobby ?? ROOM_DEFAULTS.lobby,
      layout: input.layout ?? ROOM_DEFAULTS.layout,
      selfView: input.selfView ?? ROOM_DEFAULTS.selfView,
      createdAt: this.now().toISOString(),
    };
    await this.repository.create(room);
    this.logger.info({ roomId: room.id, number: room.number }, 'room created');
    this.events.emit('room-created', room);
    return room;
  }

  /** @throws RoomNotFoundError (404). */
  async getRoom(roomId: string): Promise<Room> {
    const room = await this.repository.get(roomId);
    if (room === undefined) throw new RoomNotFoundError(roomId);
    return room;
  }

  /** Every room, oldest first. */
  listRooms(): Promise<Room[]> {
    return this.repository.list();
  }

  /**
   * Changes a room. Live calls are not affected, except that turning the lobby off admits everyone
   * waiting in it; a new `pin`, `locked: true` or a lower `maxParticipants` apply to the next joins.
   *
   * @throws RoomNotFoundError (404); DuplicateRoomNumberError (409).
   */
  async updateRoom(roomId: string, patch: RoomPatch): Promise<Room> {
    const previous = await this.getRoom(roomId);
    const { pin, ...rest } = patch;
    const merged: Room = { ...previous, ...stripUndefined(rest) };
    const { pin: _oldPin, ...withoutPin } = merged;
    const room: Room = pin === null ? withoutPin : pin === undefined ? merged : { ...merged, pin };
    await this.repository.update(room);
    this.logger.info({ roomId, changed: Object.keys(patch) }, 'room updated');
    this.events.emit('room-updated', room, previous);
    if (room.layout !== previous.layout || room.selfView !== previous.selfView) this.events.emit('room-layout', room);
    if (previous.lobby && !room.lobby) await this.admitAllWaiting(roomId);
    return room;
  }

  /**
   * Sets the room's video layout and self view (persisted with the room; emits `room-layout` and
   * `room-updated` when it changes). Live calls see it from the next composed picture.
   *
   * @param settings `layout` one of `ROOM_LAYOUTS`; `selfView` a boolean (default false).
   * @returns the updated room.
   * @throws InvalidLayoutError (400) for an unknown layout or a non-boolean selfView; RoomNotFoundError (404).
   */
  async setLayout(roomId: string, settings: { layout: unknown; selfView?: unknown }): Promise<Room> {
    const choice = validLayout(settings);
    return this.updateRoom(roomId, { layout: choice.layout, selfView: choice.selfView });
  }

  /**
   * Deletes a room and hangs up every call in it (lobby included).
   *
   * @throws RoomNotFoundError (404).
   */
  async deleteRoom(roomId: string): Promise<void> {
    const room = await this.getRoom(roomId);
    if (!(await this.repository.delete(roomId))) throw new RoomNotFoundError(roomId);
    this.logger.info({ roomId, participants: this.roster.countInRoom(roomId) }, 'room deleted');
    await Promise.all(this.roster.inRoom(roomId).map((entry) => this.endCall(entry, 'room deleted')));
    this.events.emit('room-deleted', room);
  }

  /**
   * The room and PIN a dial string designates (see `parseDialString`): `"<number>"`,
   * `"<number>*<pin>"`, `"<room-id>"` (optionally `*<pin>`), or the room's name (case-insensitive,
   * only when exactly one room has it). `undefined` when no room matches.
   */
  async resolveDialString(dial: string): Promise<{ room: Room; pin?: string } | undefined> {
    const target = parseDialString(dial);
    if (target === undefined) return undefined;
    if (target.kind === 'number') {
      const room = await this.repository.findByNumber(target.number);
      if (room === undefined) return undefined;
      return target.pin === undefined ? { room } : { room, pin: target.pin };
    }
    if (target.kind === 'id') {
      const room = await this.repository.get(target.id);
      if (room !== undefined) return target.pin === undefined ? { room } : { room, pin: target.pin };
    }
    const name = dial.trim().toLowerCase();
    const matches = (await this.repository.list()).filter((r) => r.name.toLowerCase() === name);
    if (matches.length > 1) this.logger.warn({ dial, rooms: matches.map((r) => r.id) }, 'dial string matches several room names');
    return matches.length === 1 && matches[0] !== undefined ? { room: matches[0] } : undefined;
  }

  // ── Call legs (signalling bridges) ───────────────────────────────────────────────────────────

  /**
   * Puts a call leg into a room. Checks, in order: the room exists (`not-found`), the PIN when the
   * room has one (`pin-required`, `wrong-pin`), `locked` (also while the MCU shuts down), and
   * `maxParticipants` counting lobby and connected legs (`full`). Rooms with a lobby put the leg in
   * state `lobby` (the bridge then waits for `signalling.admit()`/`reject()`), others in `connected`
   * (the bridge answers the call and calls `markConnected` once it is up).
   *
   * Never throws for a refusal; rejects only when Redis fails.
   */
  async join(roomId: string, req: JoinRequest): Promise<JoinResult> {
    if (this.shuttingDown) return { ok: false, reason: 'locked' };
    const room = await this.repository.get(roomId);
    if (room === undefined) return { ok: false, reason: 'not-found' };
    if (room.pin !== undefined) {
      if (req.pin === undefined || req.pin === '') return { ok: false, reason: 'pin-required' };
      if (!pinMatches(room.pin, req.pin)) return { ok: false, reason: 'wrong-pin' };
    }
    if (room.locked || this.shuttingDown) return { ok: false, reason: 'locked' };
    if (this.roster.countInRoom(roomId) >= room.maxParticipants) return { ok: false, reason: 'full' };

    const participant: Participant = {
      id: generateParticipantId(),
      roomId,
      protocol: req.protocol,
      displayName: req.displayName,
      remote: req.remote,
      state: room.lobby ? 'lobby' : 'connected',
      muted: false,
      joinedAt: this.now().toISOString(),
    };
    this.roster.add({ participant, signalling: req.signalling, established: false, pending: undefined, ending: undefined });
    this.logger.info({ roomId, participantId: participant.id, protocol: req.protocol, remote: req.remote, state: participant.state }, 'participant joined');
    this.events.emit('participant-joined', participant);
    return { ok: true, participant, lobby: room.lobby };
  }

  /**
   * The call is fully established (SIP: ACK of the 200 received; H.323: Connect sent). Emits
   * `participant-updated` once. Ignored (logged) for unknown, departed or lobby participants: the
   * call may have ended in between.
   */
  markConnected(participantId: string): void {
    const entry = this.roster.get(participantId);
    if (entry === undefined) {
      this.logger.debug({ participantId }, 'markConnected for a participant no longer in the roster');
      return;
    }
    if (entry.participant.state !== 'connected') {
      this.logger.warn({ participantId, state: entry.participant.state }, 'markConnected before admission: ignored');
      return;
    }
    if (entry.established) return;
    entry.established = true;
    this.events.emit('participant-updated', entry.participant);
  }

  /**
   * The call ended from the peer's side (BYE, CANCEL, ReleaseComplete, transport failure) or was
   * ended by us. Removes the participant and emits `participant-left`. Idempotent: unknown ids are
   * ignored.
   */
  leave(participantId: string, reason: string): void {
    const entry = this.roster.remove(participantId);
    if (entry === undefined) return;
    const participant: Participant = { ...entry.participant, state: 'left' };
    this.logger.info({ roomId: participant.roomId, participantId, reason }, 'participant left');
    this.events.emit('participant-left', participant, reason);
    if (this.speakers.get(participant.roomId) === participantId) this.setActiveSpeaker(participant.roomId, null);
  }

  /**
   * A DTMF digit from a live participant (RFC 4733 via the media plane, or SIP INFO): emits `dtmf`.
   * Digits from unknown or departed participants and anything but `0-9 * # A-D` are ignored (logged).
   */
  reportDtmf(participantId: string, digit: string, source: DtmfSource): void {
    const entry = this.roster.get(participantId);
    if (entry === undefined || !/^[0-9*#A-D]$/.test(digit)) {
      this.logger.debug({ participantId, digit, source }, 'DTMF digit ignored');
      return;
    }
    this.logger.info({ roomId: entry.participant.roomId, participantId, digit, source }, 'DTMF digit');
    this.events.emit('dtmf', entry.participant, digit, source);
  }

  /**
   * Sets the room's active speaker (from the media plane's level detector); emits `active-speaker`
   * when it changes. A participant not live in the room counts as nobody.
   */
  setActiveSpeaker(roomId: string, participantId: string | null): void {
    const id = participantId !== null && this.roster.getInRoom(roomId, participantId) !== undefined ? participantId : null;
    if ((this.speakers.get(roomId) ?? null) === id) return;
    if (id === null) this.speakers.delete(roomId);
    else this.speakers.set(roomId, id);
    this.events.emit('active-speaker', roomId, id);
  }

  /** The room's active speaker (participant id), or null. */
  activeSpeaker(roomId: string): string | null {
    return this.speakers.get(roomId) ?? null;
  }

  /** A live participant by id, in any room; `undefined` when it is not (or no longer) in the roster. */
  findParticipant(participantId: string): Participant | undefined {
    return this.roster.get(participantId)?.participant;
  }

  /**
   * Relays a message (SIP MESSAGE, RFC 3428) from a connected participant to every other connected
   * participant of its room whose signalling has `sendMessage`. Delivery failures are logged, not
   * thrown. Messages from a caller still in the lobby are dropped (logged).
   *
   * @param body raw octets of `contentType`.
   * @throws ParticipantNotFoundError when the sender is not in the roster.
   */
  async relayMessage(fromParticipantId: string, contentType: string, body: Buffer): Promise<void> {
    const sender = this.roster.get(fromParticipantId);
    if (sender === undefined) throw new ParticipantNotFoundError(fromParticipantId);
    const from = { id: sender.participant.id, displayName: sender.participant.displayName };
    if (sender.participant.state !== 'connected') {
      this.logger.info({ participantId: from.id }, 'message from a lobby participant not relayed');
      return;
    }
    const targets = this.roster.inRoom(sender.participant.roomId).filter((e) => e !== sender && e.participant.state === 'connected');
    await Promise.all(
      targets.map(async (target) => {
        if (target.signalling.sendMessage === undefined) return;
        try {
          await target.signalling.sendMessage(from, contentType, body);
        } catch (err) {
          this.logger.warn({ from: from.id, to: target.participant.id, ...errorFields(err) }, 'message relay failed');
        }
      }),
    );
  }

  // ── Operator actions (REST) ──────────────────────────────────────────────────────────────────

  /** The live participants of a room in join order; `[]` for an unknown room. */
  listParticipants(roomId: string): Participant[] {
    return this.roster.inRoom(roomId).map((e) => e.participant);
  }

  /** @throws ParticipantNotFoundError (404) when it is not live in `roomId`. */
  getParticipant(roomId: string, participantId: string): Participant {
    return this.entryOf(roomId, participantId).participant;
  }

  /**
   * Ends a call on the operator's behalf: `signalling.hangup('operator')`, then `leave`. The
   * participant leaves the roster even when the signalling fails (logged).
   *
   * @throws ParticipantNotFoundError (404).
   */
  async hangup(roomId: string, participantId: string): Promise<void> {
    await this.endCall(this.entryOf(roomId, participantId), 'hung up by operator');
  }

  /**
   * Admits a lobby participant: `signalling.admit()` (SIP: 200 OK), then state `connected` and
   * `participant-updated`.
   *
   * @throws ParticipantNotFoundError (404); ParticipantNotInLobbyError (409) when it is not waiting
   *   or another decision is under way; SignallingFailedError (502) when the call could not be
   *   answered (the participant is then removed).
   */
  async admit(roomId: string, participantId: string): Promise<void> {
    const entry = this.lobbyEntry(roomId, participantId, 'admit');
    try {
      await entry.signalling.admit();
    } catch (err) {
      entry.pending = undefined;
      this.leave(participantId, 'admission failed');
      throw new SignallingFailedError(participantId, 'admit', errorFields(err).err);
    }
    entry.pending = undefined;
    if (this.roster.get(participantId) !== entry) return; // left while being admitted
    entry.participant = { ...entry.participant, state: 'connected' };
    this.logger.info({ roomId, participantId }, 'participant admitted from the lobby');
    this.events.emit('participant-updated', entry.participant);
  }

  /**
   * Refuses a lobby participant: `signalling.reject()` (SIP: 603 Decline), then `leave`. The
   * participant leaves the roster even when the signalling fails (logged).
   *
   * @throws ParticipantNotFoundError (404); ParticipantNotInLobbyError (409).
   */
  async reject(roomId: string, participantId: string): Promise<void> {
    const entry = this.lobbyEntry(roomId, participantId, 'reject');
    try {
      await entry.signalling.reject();
    } catch (err) {
      this.logger.warn({ roomId, participantId, ...errorFields(err) }, 'lobby reject signalling failed');
    } finally {
      entry.pending = undefined;
      this.leave(participantId, 'rejected by operator');
    }
  }

  /**
   * Server-side mute (the audio mixer leaves a muted participant out of every mix, from its next
   * frame: `ConferenceMedia` listens). Emits `participant-muted` and `participant-updated` when it changes.
   *
   * @returns the updated participant.
   * @throws ParticipantNotFoundError (404).
   */
  setMuted(roomId: string, participantId: string, muted: boolean): Participant {
    const entry = this.entryOf(roomId, participantId);
    if (entry.participant.muted !== muted) {
      entry.participant = { ...entry.participant, muted };
      this.logger.info({ roomId, participantId, muted }, 'participant mute changed');
      this.events.emit('participant-muted', entry.participant);
      this.events.emit('participant-updated', entry.participant);
    }
    return entry.participant;
  }

  /**
   * Graceful shutdown: refuses new joins (`locked`) and hangs up every call, waiting at most
   * `shutdownTimeoutMs` for the signalling; participants still there after that are dropped.
   * Safe to call twice.
   */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    const entries = this.roster.all();
    if (entries.length === 0) return;
    this.logger.info({ calls: entries.length }, 'hanging up every call for shutdown');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.shutdownTimeoutMs);
    });
    const outcome = await Promise.race([Promise.all(entries.map((e) => this.endCall(e, 'shutdown'))), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn({ remaining: this.roster.size }, 'hang-ups did not finish in time; dropping the remaining calls');
      for (const entry of this.roster.all()) this.leave(entry.participant.id, 'shutdown');
    }
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────

  private entryOf(roomId: string, participantId: string): RosterEntry {
    const entry = this.roster.getInRoom(roomId, participantId);
    if (entry === undefined) throw new ParticipantNotFoundError(participantId, roomId);
    return entry;
  }

  private lobbyEntry(roomId: string, participantId: string, decision: 'admit' | 'reject'): RosterEntry {
    const entry = this.entryOf(roomId, participantId);
    if (entry.participant.state !== 'lobby' || entry.pending !== undefined || entry.ending !== undefined) {
      throw new ParticipantNotInLobbyError(participantId, entry.pending ?? entry.participant.state);
    }
    entry.pending = decision;
    return entry;
  }

  /** Hangs up one call (once, however many callers) and removes it from the roster. */
  private endCall(entry: RosterEntry, reason: string): Promise<void> {
    entry.ending ??= (async () => {
      try {
        await entry.signalling.hangup(reason);
      } catch (err) {
        this.logger.warn({ participantId: entry.participant.id, reason, ...errorFields(err) }, 'hang-up signalling failed');
      } finally {
        this.leave(entry.participant.id, reason);
      }
    })();
    return entry.ending;
  }

  private async admitAllWaiting(roomId: string): Promise<void> {
    const waiting = this.roster.inRoom(roomId).filter((e) => e.participant.state === 'lobby' && e.pending === undefined && e.ending === undefined);
    await Promise.all(
      waiting.map((e) =>
        this.admit(roomId, e.participant.id).catch((err: unknown) => this.logger.warn({ roomId, participantId: e.participant.id, ...errorFields(err) }, 'admission after lobby was turned off failed')),
      ),
    );
  }
}

/** `settings` checked as a `RoomLayoutChoice`. @throws InvalidLayoutError naming the bad field. */
function validLayout(settings: { layout: unknown; selfView?: unknown }): RoomLayoutChoice {
  if (!isRoomLayout(settings.layout)) throw new InvalidLayoutError('layout', `must be one of ${ROOM_LAYOUTS.join(', ')}, got ${JSON.stringify(settings.layout) ?? 'nothing'}`);
  if (settings.selfView !== undefined && typeof settings.selfView !== 'boolean') throw new InvalidLayoutError('selfView', 'must be a boolean');
  return { layout: settings.layout, selfView: settings.selfView ?? ROOM_DEFAULTS.selfView };
}

/** PIN comparison in time independent of where the digits differ. */
function pinMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `obj` without its `undefined` properties (so a patch cannot blank a field). */
function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
