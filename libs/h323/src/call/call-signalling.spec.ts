import { connect, type Socket } from 'node:net';
import { encodeTpkt, TpktReassembler } from '../tpkt/tpkt';
import { parseQ931, serializeQ931 } from '../q931/q931-message';
import { element as informationElement, findElement, InformationElementId } from '../q931/information-element';
import { parseCause } from '../q931/cause';
import { parseCallState } from '../q931/simple-elements';
import { Q931MessageType } from '../q931/message-type';
import type { CallLogger } from './call-logger';
import type { CallClock } from './call-timers';
import { buildSetup, buildStatusEnquiry } from './call-messages';
import { H323Endpoint, type H323EndpointDelegate } from './call-signalling';
import { parseH225, H225_PROTOCOL_IDENTIFIER } from './h225-message';
import { h245SessionPorts } from './h245-session-port';
import type { H323Call, H323ReleaseInfo } from './h323-call';
import type { IncomingCall } from './incoming-call';
import type { H323MediaChannel } from './media-channel';
import { endpointType, DEFAULT_ENDPOINT_IDENTITY } from './endpoint-identity';

const LOCAL = '127.0.0.1';
const WAIT_MS = 4000;

/** Resolves with the args of the first `event`, or rejects after WAIT_MS. */
function next<T extends unknown[]>(emitter: { once(event: string, fn: (...args: T) => void): unknown }, event: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${WAIT_MS} ms`)), WAIT_MS);
    emitter.once(event, (...args: T) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

/** Resolves when `predicate` holds, polling on an interval; bounded. */
async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < WAIT_MS / 10; i += 1) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function recordingLogger(): CallLogger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (obj: object, msg: string) => lines.push(`${level} ${msg} ${JSON.stringify(obj)}`);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

/** A minimal Setup as a terminal sends it (no fastStart, no tunnelling). */
function rawSetup(callReference: number, guid: Buffer): Buffer {
  return buildSetup({
    callReference: { value: callReference, fromDestination: false, length: 2 },
    uuie: {
      protocolIdentifier: H225_PROTOCOL_IDENTIFIER,
      sourceInfo: endpointType({ ...DEFAULT_ENDPOINT_IDENTITY, kind: 'terminal' }),
      activeMC: false,
      conferenceID: guid,
      conferenceGoal: { tag: 'create', value: null },
      callType: { tag: 'pointToPoint', value: null },
      callIdentifier: { guid },
    },
  });
}

const h245 = h245SessionPorts({ capabilities: { audio: ['g711Ulaw64k', 'g711Alaw64k', 'g722-64k'] } });

/** The call's open channels (a live list; `media` events may fire before a test can attach a listener). */
function mediaOf(call: H323Call): readonly H323MediaChannel[] {
  return call.mediaChannels;
}

describe('H.225.0 call signalling between two endpoints on 127.0.0.1', () => {
  let mcu: H323Endpoint;
  let terminal: H323Endpoint;
  let port: number;
  let incoming: IncomingCall[];
  let decide: (call: IncomingCall) => void;
  const logger = recordingLogger();

  beforeEach(async () => {
    incoming = [];
    decide = (call) => void call.accept({ localMedia: { address: LOCAL, rtpPort: 40000 } });
    const delegate: H323EndpointDelegate = {
      onSetup: (call) => {
        incoming.push(call);
        decide(call);
      },
    };
    mcu = new H323Endpoint(delegate, { port: 0, host: LOCAL, h245, logger, displayName: 'Room 4001' });
    port = (await mcu.listen()).port;
    terminal = new H323Endpoint({ onSetup: (call) => call.reject('rejected') }, { h245, identity: { ...DEFAULT_ENDPOINT_IDENTITY, kind: 'terminal' }, displayName: 'Alice' });
  });

  afterEach(async () => {
    await terminal.close();
    await mcu.close();
  });

  it.each([
    { mode: 'fastStart + tunnelling', fastStart: true, tunnelling: true, transport: 'tunnelled' },
    { mode: 'no fastStart, separate H.245 channel', fastStart: false, tunnelling: false, transport: 'separate' },
    { mode: 'tunnelling without fastStart', fastStart: false, tunnelling: true, transport: 'tunnelled' },
  ])('$mode: connects, opens audio both ways, releases cleanly', async ({ fastStart, tunnelling, transport }) => {
    const created = next<[H323Call]>(mcu, 'call');
    const call = await terminal.call(
      { address: LOCAL, port },
      { localMedia: { address: LOCAL, rtpPort: 42000 }, fastStart, tunnelling, destination: [{ type: 'dialedDigits', value: '4001' }] },
    );
    const callerMedia = mediaOf(call);
    const callerEvents: H323MediaChannel[] = [];
    call.on('media', (c) => callerEvents.push(c));
    const [answered] = await created;
    const calleeMedia = mediaOf(answered);
    await next(call, 'connected');
    await until(() => callerMedia.length === 2 && calleeMedia.length === 2, 'media in both directions on both sides');
    expect(callerEvents).toEqual(callerMedia);

    const setup = incoming[0].setup;
    expect(setup.calledAliases).toEqual([{ type: 'dialedDigits', value: '4001' }]);
    expect(setup.displayName).toBe('Alice');
    expect(setup.h245Tunnelling).toBe(tunnelling);
    expect(setup.fastStartProposals).toBe(fastStart ? 6 : 0);
    expect(call.h245Transport).toBe(transport);
    expect(answered.h245Transport).toBe(transport);

    const callerSend = callerMedia.find((m) => m.direction === 'send')!;
    const callerReceive = callerMedia.find((m) => m.direction === 'receive')!;
    const calleeSend = calleeMedia.find((m) => m.direction === 'send')!;
    const calleeReceive = calleeMedia.find((m) => m.direction === 'receive')!;
    expect(callerSend).toMatchObject({ codec: 'PCMU', payloadType: 0, clockRate: 8000, remoteRtp: { address: LOCAL, port: 40000 }, localRtpPort: 42000 });
    expect(calleeSend).toMatchObject({ codec: 'PCMU', payloadType: 0, remoteRtp: { address: LOCAL, port: 42000 }, localRtpPort: 40000 });
    expect(callerReceive).toMatchObject({ codec: 'PCMU', localRtpPort: 42000 });
    expect(calleeReceive).toMatchObject({ codec: 'PCMU', localRtpPort: 40000 });
    expect(callerSend.remoteRtcp).toEqual({ address: LOCAL, port: 40001 });
    expect(calleeSend.remoteRtcp).toEqual({ address: LOCAL, port: 42001 });

    const released = next<[H323ReleaseInfo]>(answered, 'released');
    call.hangUp();
    const [info] = await released;
    expect(info).toMatchObject({ reason: 'normal', by: 'remote', causeValue: 16 });
    expect(call.state).toBe('released');
    await until(() => mcu.calls.length === 0 && terminal.calls.length === 0, 'calls forgotten');
    await until(() => mcu.connectionCount === 0 && terminal.connectionCount === 0, 'connections closed');
  });

  it('passes DTMF from the caller as userInput (H.245 UserInputIndication)', async () => {
    const created = next<[H323Call]>(mcu, 'call');
    const call = await terminal.call({ address: LOCAL, port }, { localMedia: { address: LOCAL, rtpPort: 42000 } });
    const [answered] = await created;
    const media = mediaOf(answered);
    await until(() => media.length === 2 && call.state === 'active', 'media and Connect');
    const digit = next<[string]>(answered, 'userInput');
    expect(call.sendUserInput('5')).toBe(true);
    expect((await digit)[0]).toBe('5');
  });

  it('alerting before the owner accepts: the caller sees alerting, then connected', async () => {
    let accept: () => void = () => undefined;
    decide = (call) => {
      call.alert();
      accept = () => void call.accept({ localMedia: { address: LOCAL, rtpPort: 40000 } });
    };
    const call = await terminal.call({ address: LOCAL, port }, { localMedia: { address: LOCAL, rtpPort: 42000 } });
    await next(call, 'alerting');
    expect(call.state).toBe('callDelivered');
    expect(incoming[0].state).toBe('callReceived');
    accept();
    await next(call, 'connected');
    expect(call.mediaChannels).toHaveLength(2);
  });

  it('unknown destination: ReleaseComplete unreachableDestination, cause 1', async () => {
    decide = (call) => call.reject('unknownDestination');
    const call = await terminal.call({ address: LOCAL, port }, { localMedia: { address: LOCAL, rtpPort: 42000 } });
    const [info] = await next<[H323ReleaseInfo]>(call, 'released');
    expect(info).toEqual({ reason: 'unknownDestination', causeValue: 1, by: 'remote' });
    expect(incoming[0].state).toBe('released');
  });

  it('busy: ReleaseComplete destinationRejection, cause 21', async () => {
    decide = (call) => call.reject('busy');
    const call = await terminal.call({ address: LOCAL, port }, { localMedia: { address: LOCAL, rtpPort: 42000 } });
    const [info] = await next<[H323ReleaseInfo]>(call, 'released');
    expect(info).toEqual({ reason: 'rejected', causeValue: 21, by: 'remote' });
  });

  it('accept() with a bad local media address throws and leaves the call answerable', async () => {
    let error: unknown;
    decide = (call) => {
      call.accept({ localMedia: { address: 'not-an-ip', rtpPort: 40000 } }).catch((e: unknown) => {
        error = e;
        void call.accept({ localMedia: { address: LOCAL, rtpPort: 40000 } });
      });
    };
    const call = await terminal.call({ address: LOCAL, port }, { localMedia: { address: LOCAL, rtpPort: 42000 } });
    await next(call, 'connected');
    expect((error as Error).name).toBe('RangeError');
  });

  it('a delegate that throws rejects the call instead of leaking it', async () => {
    decide = () => {
      throw new Error('room service down');
    };
    const call = await terminal.call({ address: LOCAL, port }, { localMedia: { address: LOCAL, rtpPort: 42000 } });
    const [info] = await next<[H323ReleaseInfo]>(call, 'released');
    expect(info.causeValue).toBe(47);
    expect(mcu.calls).toHaveLength(0);
  });

  it('shutdown releases active calls with ReleaseComplete', async () => {
    const call = await terminal.call({ address: LOCAL, port }, { localMedia: { address: LOCAL, rtpPort: 42000 } });
    await next(call, 'connected');
    const released = next<[H323ReleaseInfo]>(call, 'released');
    await mcu.close();
    expect((await released)[0]).toMatchObject({ by: 'remote', causeValue: 16 });
  });

  describe('bad input on the signalling socket', () => {
    let raw: Socket;
    let replies: Buffer[];

    async function open(): Promise<void> {
      replies = [];
      const reassembler = new TpktReassembler();
      raw = connect(port, LOCAL);
      raw.on('data', (chunk) => replies.push(...reassembler.push(chunk)));
      await next(raw, 'connect');
    }

    afterEach(() => raw.destroy());

    it('refuses a fifth simultaneous call on one connection with ReleaseComplete cause 47', async () => {
      decide = () => undefined;
      await open();
      for (let ref = 1; ref <= 5; ref += 1) raw.write(encodeTpkt(rawSetup(ref, Buffer.alloc(16, ref))));
      await until(() => replies.length === 5, 'five answers');
      const answers = replies.map(parseQ931);
      expect(answers.filter((a) => a.messageType === Q931MessageType.CallProceeding)).toHaveLength(4);
      const refused = answers.find((a) => a.messageType === Q931MessageType.ReleaseComplete)!;
      expect(refused.callReference.value).toBe(5);
      expect(parseCause(findElement(refused.informationElements, InformationElementId.Cause)!.contents).value).toBe(47);
    });

    it('garbage (not TPKT): log line and the connection closes', async () => {
      await open();
      const closed = next(raw, 'close');
      raw.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await closed;
      expect(logger.lines.some((l) => l.startsWith('warn bad TPKT'))).toBe(true);
      expect(mcu.connectionCount).toBe(0);
    });

    it('a Setup whose User-user PDU does not decode: ReleaseComplete cause 100', async () => {
      await open();
      raw.write(encodeTpkt(Buffer.from('080212340528057465737400' + '7e000305ffff', 'hex').subarray(0)));
      await until(() => replies.length > 0, 'a reply');
      const reply = parseQ931(replies[0]);
      expect(reply.messageType).toBe(Q931MessageType.ReleaseComplete);
      expect(reply.callReference).toEqual({ value: 0x1234, fromDestination: true, length: 2 });
      expect(parseCause(findElement(reply.informationElements, InformationElementId.Cause)!.contents).value).toBe(100);
      expect(incoming).toHaveLength(0);
    });

    it('a message for an unknown call reference: ReleaseComplete cause 81', async () => {
      await open();
      raw.write(encodeTpkt(buildStatusEnquiry({ value: 77, fromDestination: false, length: 2 }, Buffer.alloc(16, 1))));
      await until(() => replies.length > 0, 'a reply');
      const reply = parseQ931(replies[0]);
      expect(reply.messageType).toBe(Q931MessageType.ReleaseComplete);
      expect(parseCause(findElement(reply.informationElements, InformationElementId.Cause)!.contents).value).toBe(81);
    });

    it('StatusEnquiry is answered with Status carrying the call state (Q.931 §5.8.10); unknown types get Status 97; Keypad digits become userInput', async () => {
      decide = () => undefined; // the owner has not decided yet
      await open();
      const callReference = { value: 300, fromDestination: false, length: 2 };
      const guid = Buffer.alloc(16, 7);
      raw.write(encodeTpkt(rawSetup(callReference.value, guid)));
      await until(() => replies.length === 1, 'CallProceeding');
      expect(parseQ931(replies[0]).messageType).toBe(Q931MessageType.CallProceeding);
      raw.write(encodeTpkt(buildStatusEnquiry(callReference, guid)));
      await until(() => replies.length === 2, 'Status');
      const status = parseH225(replies[1]);
      expect(status.q931.messageType).toBe(Q931MessageType.Status);
      const elements = status.q931.informationElements;
      expect(parseCallState(findElement(elements, InformationElementId.CallState)!.contents)).toBe(9);
      expect(parseCause(findElement(elements, InformationElementId.Cause)!.contents).value).toBe(30);
      expect(status.userInformation?.['h323-uu-pdu']['h323-message-body'].tag).toBe('status');

      // A message type Q.931 does not define for H.225.0 (0x44), with a valid User-user: Status, cause 97.
      const unknownType = Buffer.from(buildStatusEnquiry(callReference, guid));
      unknownType[4] = 0x44;
      raw.write(encodeTpkt(unknownType));
      await until(() => replies.length === 3, 'Status for the unknown type');
      const cause = findElement(parseQ931(replies[2]).informationElements, InformationElementId.Cause)!;
      expect(parseCause(cause.contents).value).toBe(97);

      // Information with a Keypad facility element (overlap digits some endpoints send).
      const digits: string[] = [];
      incoming[0].on('userInput', (d) => digits.push(d));
      const information = parseQ931(buildStatusEnquiry(callReference, guid));
      raw.write(
        encodeTpkt(
          serializeQ931({
            ...information,
            messageType: Q931MessageType.Information,
            informationElements: [informationElement(InformationElementId.KeypadFacility, Buffer.from('12#')), ...information.informationElements],
          }),
        ),
      );
      await until(() => digits.length === 3, 'three digits');
      expect(digits).toEqual(['1', '2', '#']);
    });
  });
});

describe('call timers (injected clock)', () => {
  it('firstSetup: a connection that sends no Setup is closed', async () => {
    const pending: Array<{ fn: () => void; ms: number; cleared: boolean }> = [];
    const clock: CallClock = {
      setTimeout: (fn, ms) => {
        const t = { fn, ms, cleared: false };
        pending.push(t);
        return t;
      },
      clearTimeout: (h) => {
        (h as { cleared: boolean }).cleared = true;
      },
    };
    const mcu = new H323Endpoint({ onSetup: () => undefined }, { port: 0, host: LOCAL, clock, timers: { firstSetup: 999 } });
    const port = (await mcu.listen()).port;
    const socket = connect(port, LOCAL);
    try {
      const closed = next(socket, 'close');
      await until(() => pending.some((t) => t.ms === 999), 'the firstSetup timer');
      expect(mcu.connectionCount).toBe(1);
      pending.find((t) => t.ms === 999)!.fn();
      await closed;
      await until(() => mcu.connectionCount === 0, 'connection forgotten');
    } finally {
      socket.destroy();
      await mcu.close();
    }
  });

  it('T303: no answer to Setup → ReleaseComplete cause 102 and the call is released', async () => {
    const pending: Array<{ fn: () => void; ms: number; cleared: boolean }> = [];
    const clock: CallClock = {
      setTimeout: (fn, ms) => {
        const t = { fn, ms, cleared: false };
        pending.push(t);
        return t;
      },
      clearTimeout: (h) => {
        (h as { cleared: boolean }).cleared = true;
      },
    };
    // A peer that reads and never answers.
    const { createServer } = await import('node:net');
    const received: Buffer[] = [];
    const sockets: Socket[] = [];
    const server = createServer((s) => {
      sockets.push(s);
      const r = new TpktReassembler();
      s.on('data', (c) => received.push(...r.push(c)));
    });
    await new Promise<void>((resolve) => server.listen(0, LOCAL, resolve));
    const serverPort = (server.address() as { port: number }).port;
    const caller = new H323Endpoint({ onSetup: () => undefined }, { clock, timers: { T303: 4000 } });
    try {
      const call = await caller.call({ address: LOCAL, port: serverPort }, { localMedia: { address: LOCAL, rtpPort: 42000 } });
      await until(() => received.length === 1, 'Setup');
      const t303 = pending.find((t) => t.ms === 4000 && !t.cleared)!;
      expect(t303).toBeDefined();
      const released = next<[H323ReleaseInfo]>(call, 'released');
      t303.fn();
      expect((await released)[0]).toEqual({ reason: 'timeout', causeValue: 102, by: 'local' });
      await until(() => received.length === 2, 'ReleaseComplete');
      const release = parseQ931(received[1]);
      expect(release.messageType).toBe(Q931MessageType.ReleaseComplete);
      expect(pending.filter((t) => !t.cleared && t !== t303)).toHaveLength(0);
    } finally {
      await caller.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
