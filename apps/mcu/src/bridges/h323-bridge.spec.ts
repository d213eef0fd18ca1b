import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { H323CallState, H323Endpoint, h245SessionPorts, type H323Alias, type H323ReleaseInfo, type IncomingCall, type OutgoingCall } from '@mcu/h323';
import { ConferenceManager } from '../conference/conference-manager';
import type { Room } from '../conference/room';
import { RoomRepository } from '../conference/room-repository';
import { H323Bridge } from './h323-bridge';
import { dialStringsOf, type LegAdmission } from './h323-call-leg';
import type { H323LegMedia, H323MediaSource } from './h323-media';
import { MediaPortsExhaustedError } from './media-port-source';
import { silentLogger as silent, until } from '../testing/spec-helpers.fixture';

const LOCAL = '127.0.0.1';

/** A media source that hands out fake ports and records what the legs did. */
class FakeMedia implements H323MediaSource {
  exhausted = false;
  next = 40_000;
  readonly held = new Set<number>();
  readonly started: Array<{ roomId: string; participantId: string; remotePort: number | undefined }> = [];
  /** What each leg's media was told, in order (prompt tone, its end, room media, release). */
  readonly log: Array<{ rtpPort: number; what: 'prompt' | 'stopPrompt' | 'start' | 'release'; remotePort?: number }> = [];

  /** The sequence of calls on one leg's media. */
  sequence(rtpPort: number): string[] {
    return this.log.filter((e) => e.rtpPort === rtpPort).map((e) => e.what);
  }

  async allocate(): Promise<H323LegMedia> {
    if (this.exhausted) throw new MediaPortsExhaustedError('no ports');
    const rtpPort = this.next;
    this.next += 2;
    this.held.add(rtpPort);
    return {
      address: LOCAL,
      rtpPort,
      start: (roomId, participantId, channel) => {
        this.started.push({ roomId, participantId, remotePort: channel.remoteRtp?.port });
        this.log.push({ rtpPort, what: 'start', remotePort: channel.remoteRtp?.port });
      },
      prompt: (channel) => this.log.push({ rtpPort, what: 'prompt', remotePort: channel.remoteRtp?.port }),
      stopPrompt: () => this.log.push({ rtpPort, what: 'stopPrompt' }),
      release: () => {
        if (this.held.delete(rtpPort)) this.log.push({ rtpPort, what: 'release' });
      },
    };
  }
}

describe('H323Bridge: H.323 calls into conference rooms', () => {
  const prefix = `test:h323-bridge:${randomUUID()}:`;
  let redis: Redis;
  let conference: ConferenceManager;
  let media: FakeMedia;
  let admission: { admitted: boolean; asked: IncomingCall[]; disengaged: IncomingCall[] } & LegAdmission;
  let mcu: H323Endpoint;
  let caller: H323Endpoint;
  let port: number;
  let number = 910_000 + Math.floor(Math.random() * 10_000) * 10;
  const calls: OutgoingCall[] = [];
  const room = (extra: Partial<Room> = {}) => conference.createRoom({ name: `Room ${number}`, number: String(number++), ...extra });

  const dial = async (destination: H323Alias[], fastStart = true): Promise<{ call: OutgoingCall; released: () => H323ReleaseInfo | undefined }> => {
    const call = await caller.call({ address: LOCAL, port }, { localMedia: { address: LOCAL, rtpPort: 30_000 }, destination, fastStart });
    calls.push(call);
    let info: H323ReleaseInfo | undefined;
    call.on('released', (i) => (info = i));
    return { call, released: () => info };
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

  beforeEach(async () => {
    conference = new ConferenceManager({ repository: new RoomRepository(redis, prefix), logger: silent });
    media = new FakeMedia();
    const asked: IncomingCall[] = [];
    const disengaged: IncomingCall[] = [];
    admission = {
      admitted: true,
      asked,
      disengaged,
      admit: async (call) => {
        asked.push(call);
        return admission.admitted;
      },
      disengage: (call) => disengaged.push(call),
    };
    const bridge = new H323Bridge({ conference, media, admission, logger: silent, pinEntryTimeoutMs: 1500 });
    const h245 = h245SessionPorts({ capabilities: { audio: ['g711Ulaw64k', 'g711Alaw64k'] } });
    mcu = new H323Endpoint(bridge, { host: LOCAL, port: 0, h245 });
    port = (await mcu.listen()).port;
    caller = new H323Endpoint({ onSetup: (c) => c.reject('rejected') }, { host: LOCAL, port: 0, h245 });
  });

  afterEach(async () => {
    for (const c of calls.splice(0)) c.hangUp('normal');
    await caller.close();
    await mcu.close();
  });

  it('reads dial strings from dialedDigits, then h323-ID, then E.164, then the Called party number', () => {
    const setup = {
      calledAliases: [
        { type: 'h323-ID', value: 'Room A' },
        { type: 'dialedDigits', value: '7100*12' },
        { type: 'e164', value: '7100' },
        { type: 'url', value: 'h323:x@y' },
      ],
      calledPartyNumber: { typeOfNumber: 0, numberingPlan: 1, digits: '7100' },
    } as unknown as IncomingCall['setup'];
    expect(dialStringsOf(setup)).toEqual(['7100*12', 'Room A', '7100']);
    expect(dialStringsOf({ calledAliases: [{ type: 'h323-ID', value: '  ' }] } as unknown as IncomingCall['setup'])).toEqual([]);
  });

  it('connects a call to a room: participant connected, ARQ asked, transmit channel starts the media, DRQ after the release', async () => {
    const r = await room();
    const { call, released } = await dial([{ type: 'dialedDigits', value: r.number }]);
    await until(() => conference.listParticipants(r.id).find((p) => p.state === 'connected'));
    const [participant] = conference.listParticipants(r.id);
    expect(participant).toMatchObject({ protocol: 'h323', roomId: r.id });
    expect(participant.remote).toMatch(/^(.+@)?127\.0\.0\.1:\d+$/);
    await until(() => media.started.length === 1);
    expect(media.started[0]).toEqual({ roomId: r.id, participantId: participant.id, remotePort: 30_000 });
    expect(media.log.map((e) => e.what)).not.toContain('prompt'); // no PIN to key: no prompt tone
    expect(admission.asked).toHaveLength(1);
    call.hangUp('normal');
    await until(() => released());
    await until(() => conference.listParticipants(r.id).length === 0);
    await until(() => admission.disengaged.length === 1);
    expect(media.held.size).toBe(0);
  });

  it.each([
    ['an unknown room', async () => ({ dial: '99999999' }), { reason: 'unknownDestination', causeValue: 1 }],
    ['a locked room', async () => ({ dial: (await room({ locked: true })).number }), { reason: 'rejected', causeValue: 21 }],
    ['a full room', async () => ({ dial: (await room({ maxParticipants: 1 })).number, fill: true }), { reason: 'rejected', causeValue: 21 }],
    ['a PIN room with a wrong PIN', async () => ({ dial: `${(await room({ pin: '1234' })).number}*9999` }), { reason: 'rejected', causeValue: 21 }],
  ] as const)('refuses %s with its ReleaseComplete reason and cause, holding no ports', async (_what, make, expected) => {
    const target: { dial: string; fill?: boolean } = await make();
    if (target.fill) {
      const first = await dial([{ type: 'dialedDigits', value: target.dial }]);
      await until(() => first.call.state === H323CallState.Active);
    }
    const { released } = await dial([{ type: 'dialedDigits', value: target.dial }]);
    const info = await until(() => released());
    expect(info).toEqual({ ...expected, by: 'remote' });
    expect(media.held.size).toBe(target.fill ? 1 : 0);
  });

  it('refuses with destinationRejection (21) when the gatekeeper rejects the admission', async () => {
    admission.admitted = false;
    const r = await room();
    const { released } = await dial([{ type: 'h323-ID', value: r.id }]);
    expect(await until(() => released())).toEqual({ reason: 'rejected', causeValue: 21, by: 'remote' });
    expect(conference.listParticipants(r.id)).toEqual([]);
    expect(admission.disengaged).toEqual([]);
  });

  it('refuses with gatewayResources (47) when the RTP ports are used up', async () => {
    media.exhausted = true;
    const r = await room();
    const { released } = await dial([{ type: 'dialedDigits', value: r.number }]);
    expect(await until(() => released())).toEqual({ reason: 'resourceUnavailable', causeValue: 47, by: 'remote' });
    expect(conference.listParticipants(r.id)).toEqual([]);
  });

  it('lobby: alerts, waits, and connects when admitted; ReleaseComplete when rejected', async () => {
    const r = await room({ lobby: true });
    const admitted = await dial([{ type: 'dialedDigits', value: r.number }], false);
    let alerted = false;
    admitted.call.on('alerting', () => (alerted = true));
    const waiting = await until(() => conference.listParticipants(r.id).find((p) => p.state === 'lobby'));
    await until(() => alerted);
    await conference.admit(r.id, waiting.id);
    await until(() => conference.listParticipants(r.id).find((p) => p.state === 'connected'));
    await until(() => admitted.call.mediaChannels.some((m) => m.direction === 'send'));

    const refused = await dial([{ type: 'dialedDigits', value: r.number }]);
    const second = await until(() => conference.listParticipants(r.id).find((p) => p.state === 'lobby'));
    await conference.reject(r.id, second.id);
    expect(await until(() => refused.released())).toEqual({ reason: 'rejected', causeValue: 21, by: 'remote' });
  });

  /** Keys `digits` once the call's H.245 carries user input. */
  const key = async (call: OutgoingCall, digits: string): Promise<void> => {
    const [first, ...rest] = [...digits];
    await until(() => call.sendUserInput(first));
    for (const d of rest) expect(call.sendUserInput(d)).toBe(true);
  };

  it('keypad digits of a caller in the room become room DTMF events (H.245 UserInputIndication)', async () => {
    const r = await room();
    const digits: Array<[string, string, string]> = [];
    conference.on('dtmf', (p, digit, source) => digits.push([p.id, digit, source]));
    const { call } = await dial([{ type: 'dialedDigits', value: r.number }]);
    const p = await until(() => conference.listParticipants(r.id).find((x) => x.state === 'connected'));
    await key(call, '5#');
    await until(() => digits.length === 2);
    expect(digits).toEqual([
      [p.id, '5', 'h245'],
      [p.id, '#', 'h245'],
    ]);
  });

  it('PIN room dialled without the PIN: connected to key it; a wrong PIN is refused, the right one joins the room', async () => {
    const r = await room({ pin: '1234' });
    const { call, released } = await dial([{ type: 'dialedDigits', value: r.number }]);
    await until(() => call.state === H323CallState.Active);
    expect(conference.listParticipants(r.id)).toEqual([]);
    // While the PIN is keyed the caller hears the prompt tone on its receive channel (our transmit channel).
    const prompt = await until(() => media.log.find((e) => e.what === 'prompt'));
    expect(prompt.remotePort).toBe(30_000);
    await key(call, '99#');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(conference.listParticipants(r.id)).toEqual([]);
    expect(media.sequence(prompt.rtpPort)).toEqual(['prompt']); // a wrong PIN: the prompt goes on
    await key(call, '12*1234#');
    const p = await until(() => conference.listParticipants(r.id).find((x) => x.state === 'connected'));
    await until(() => media.started.some((m) => m.participantId === p.id));
    expect(media.sequence(prompt.rtpPort)).toEqual(['prompt', 'stopPrompt', 'start']);
    expect(released()).toBeUndefined();
  });

  it('PIN room with a lobby: after the PIN the caller waits without media until admitted', async () => {
    const r = await room({ pin: '55', lobby: true });
    const { call } = await dial([{ type: 'dialedDigits', value: r.number }]);
    await until(() => call.state === H323CallState.Active);
    const prompt = await until(() => media.log.find((e) => e.what === 'prompt'));
    await key(call, '55#');
    const waiting = await until(() => conference.listParticipants(r.id).find((x) => x.state === 'lobby'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(media.started).toEqual([]);
    expect(media.sequence(prompt.rtpPort)).toEqual(['prompt', 'stopPrompt']); // the PIN was accepted: no more tone
    await conference.admit(r.id, waiting.id);
    await until(() => conference.listParticipants(r.id).find((x) => x.state === 'connected'));
    await until(() => media.started.some((m) => m.participantId === waiting.id));
  });

  it('PIN room: no PIN keyed in time releases the call with destinationRejection (21)', async () => {
    const r = await room({ pin: '1234' });
    const { call, released } = await dial([{ type: 'dialedDigits', value: r.number }]);
    await until(() => call.state === H323CallState.Active);
    await key(call, '12');
    expect(await until(() => released())).toMatchObject({ reason: 'rejected', causeValue: 21, by: 'remote' });
    expect(conference.listParticipants(r.id)).toEqual([]);
    // The prompt played until the call ended; releasing the ports ends it.
    const prompt = await until(() => media.log.find((e) => e.what === 'prompt'));
    await until(() => media.sequence(prompt.rtpPort).includes('release'));
    expect(media.sequence(prompt.rtpPort)).toEqual(['prompt', 'release']);
  });

  it('PIN room: three wrong PINs release the call with destinationRejection (21)', async () => {
    const r = await room({ pin: '1234' });
    const { call, released } = await dial([{ type: 'dialedDigits', value: r.number }]);
    await until(() => call.state === H323CallState.Active);
    for (const wrong of ['1#', '2#', '3#']) {
      await key(call, wrong);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await until(() => released())).toMatchObject({ reason: 'rejected', causeValue: 21, by: 'remote' });
    expect(conference.listParticipants(r.id)).toEqual([]);
    await until(() => media.held.size === 0);
  });

  it('the conference hangs up (REST DELETE, shutdown): ReleaseComplete normal call clearing, leg gone', async () => {
    const r = await room();
    const { released } = await dial([{ type: 'dialedDigits', value: r.number }]);
    const p = await until(() => conference.listParticipants(r.id).find((x) => x.state === 'connected'));
    await conference.hangup(r.id, p.id);
    expect(await until(() => released())).toMatchObject({ by: 'remote', causeValue: 16 });
    expect(conference.listParticipants(r.id)).toEqual([]);
    await until(() => media.held.size === 0);
  });

  it('a caller that gives up while its room is being resolved leaves nothing behind', async () => {
    const r = await room();
    const { call } = await dial([{ type: 'dialedDigits', value: r.number }]);
    call.hangUp('normal');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(conference.listParticipants(r.id)).toEqual([]);
    expect(media.held.size).toBe(0);
  });
});
