import { createServer, connect, type Server, type Socket } from 'node:net';
import { decode, H245 } from '../index';
import { Q931MessageType } from '../q931/message-type';
import { parseQ931 } from '../q931/q931-message';
import { encodeTpkt, TpktReassembler } from '../tpkt/tpkt';
import { buildAnswer, buildSetup } from './call-messages';
import { H323Endpoint } from './call-signalling';
import type { CallClock } from './call-timers';
import { DEFAULT_ENDPOINT_IDENTITY, endpointType } from './endpoint-identity';
import { bodyOf, H225_PROTOCOL_IDENTIFIER, parseH225 } from './h225-message';
import { h245SessionPorts } from './h245-session-port';
import { ipTransportAddress, transportAddressOf } from './setup-info';

/** The separate H.245 channel in the arrangements the two-endpoint tests do not reach (H.323 §8.2–§8.2). */
const LOCAL = '127.0.0.1';
const WAIT_MS = 4000;
const h245 = h245SessionPorts({ capabilities: { audio: ['g711Ulaw64k'] } });

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < WAIT_MS / 10; i += 1) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A TCP peer that records TPKT payloads; `sockets` are its accepted connections. */
async function rawPeer(): Promise<{ server: Server; port: number; received: Buffer[]; sockets: Socket[] }> {
  const received: Buffer[] = [];
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    const reassembler = new TpktReassembler();
    socket.on('data', (chunk) => received.push(...reassembler.push(chunk)));
  });
  await new Promise<void>((resolve) => server.listen(0, LOCAL, resolve));
  return { server, port: (server.address() as { port: number }).port, received, sockets };
}

async function closePeer(peer: { server: Server; sockets: Socket[] }): Promise<void> {
  for (const s of peer.sockets) s.destroy();
  await new Promise<void>((resolve) => peer.server.close(() => resolve()));
}

const kindOf = (pdu: Buffer): string => {
  const m = decode(H245.MultimediaSystemControlMessage, pdu);
  return `${m.tag}.${(m.value as { tag: string }).tag}`;
};

describe('separate H.245 channel fallbacks', () => {
  it('callee gives neither tunnelling nor h245Address: we listen and send Facility(startH245) (H.323 §8.2)', async () => {
    const callee = await rawPeer();
    const caller = new H323Endpoint({ onSetup: () => undefined }, { h245 });
    const h245Pdus: Buffer[] = [];
    let h245Socket: Socket | undefined;
    try {
      const call = await caller.call({ address: LOCAL, port: callee.port }, { localMedia: { address: LOCAL, rtpPort: 42000 }, fastStart: false, tunnelling: false });
      await until(() => callee.received.length === 1, 'Setup');
      const setup = parseQ931(callee.received[0]);
      const ref = { ...setup.callReference, fromDestination: true };
      const guid = Buffer.alloc(16, 3);
      const destinationInfo = endpointType({ ...DEFAULT_ENDPOINT_IDENTITY, kind: 'terminal' });
      callee.sockets[0].write(
        encodeTpkt(buildAnswer(Q931MessageType.Connect, ref, { tag: 'connect', value: { protocolIdentifier: H225_PROTOCOL_IDENTIFIER, destinationInfo, conferenceID: guid } }, { h245Tunnelling: false })),
      );
      await until(() => callee.received.length === 2, 'Facility');
      const facility = parseH225(callee.received[1]);
      expect(facility.q931.messageType).toBe(Q931MessageType.Facility);
      const body = bodyOf(facility);
      if (body?.tag !== 'facility') throw new Error('no Facility-UUIE');
      expect(body.value.reason.tag).toBe('startH245');
      const address = transportAddressOf(body.value.h245Address)!;
      expect(address.address).toBe(LOCAL);
      const reassembler = new TpktReassembler();
      h245Socket = connect(address.port, LOCAL);
      h245Socket.on('data', (chunk) => h245Pdus.push(...reassembler.push(chunk)));
      await until(() => h245Pdus.length >= 2, 'TCS and MSD');
      expect(h245Pdus.map(kindOf)).toEqual(['request.terminalCapabilitySet', 'request.masterSlaveDetermination']);
      expect(call.h245Transport).toBe('separate');
      call.hangUp();
      await until(() => callee.received.length === 3, 'ReleaseComplete');
      expect(parseQ931(callee.received[2]).messageType).toBe(Q931MessageType.ReleaseComplete);
      await until(() => h245Pdus.length >= 3, 'EndSessionCommand');
      expect(kindOf(h245Pdus[h245Pdus.length - 1])).toBe('command.endSessionCommand');
    } finally {
      h245Socket?.destroy();
      await caller.close();
      await closePeer(callee);
    }
  });

  it('callee gives h245Address in CallProceeding: we connect to it before Connect (early H.245)', async () => {
    const calleeH245 = await rawPeer();
    const callee = await rawPeer();
    const caller = new H323Endpoint({ onSetup: () => undefined }, { h245 });
    try {
      const call = await caller.call({ address: LOCAL, port: callee.port }, { localMedia: { address: LOCAL, rtpPort: 42000 }, fastStart: false, tunnelling: false });
      await until(() => callee.received.length === 1, 'Setup');
      const ref = { ...parseQ931(callee.received[0]).callReference, fromDestination: true };
      const destinationInfo = endpointType({ ...DEFAULT_ENDPOINT_IDENTITY, kind: 'terminal' });
      callee.sockets[0].write(
        encodeTpkt(
          buildAnswer(
            Q931MessageType.CallProceeding,
            ref,
            { tag: 'callProceeding', value: { protocolIdentifier: H225_PROTOCOL_IDENTIFIER, destinationInfo, h245Address: ipTransportAddress({ address: LOCAL, port: calleeH245.port }) } },
            { h245Tunnelling: false },
          ),
        ),
      );
      await until(() => calleeH245.received.length >= 2, 'TCS and MSD on the callee’s H.245 listener');
      expect(call.state).toBe('outgoingCallProceeding');
      expect(calleeH245.received.map(kindOf)).toEqual(['request.terminalCapabilitySet', 'request.masterSlaveDetermination']);
    } finally {
      await caller.close();
      await closePeer(callee);
      await closePeer(calleeH245);
    }
  });

  it("caller offers h245Address without tunnelling: we connect to it (H.323 §8.2)", async () => {
    const callerH245 = await rawPeer();
    const mcu = new H323Endpoint({ onSetup: (call) => void call.accept({ localMedia: { address: LOCAL, rtpPort: 40000 } }) }, { port: 0, host: LOCAL, h245 });
    const port = (await mcu.listen()).port;
    const replies: Buffer[] = [];
    const reassembler = new TpktReassembler();
    const socket = connect(port, LOCAL);
    socket.on('data', (chunk) => replies.push(...reassembler.push(chunk)));
    try {
      await new Promise((resolve) => socket.once('connect', resolve));
      const guid = Buffer.alloc(16, 9);
      socket.write(
        encodeTpkt(
          buildSetup({
            callReference: { value: 42, fromDestination: false, length: 2 },
            uuie: {
              protocolIdentifier: H225_PROTOCOL_IDENTIFIER,
              h245Address: ipTransportAddress({ address: LOCAL, port: callerH245.port }),
              sourceInfo: endpointType({ ...DEFAULT_ENDPOINT_IDENTITY, kind: 'terminal' }),
              activeMC: false,
              conferenceID: guid,
              conferenceGoal: { tag: 'create', value: null },
              callType: { tag: 'pointToPoint', value: null },
              callIdentifier: { guid },
            },
            h245Tunnelling: false,
          }),
        ),
      );
      await until(() => replies.length === 2, 'CallProceeding and Connect');
      const connectBody = bodyOf(parseH225(replies[1]));
      expect(connectBody?.tag).toBe('connect');
      expect(connectBody?.tag === 'connect' && connectBody.value.h245Address).toBeUndefined();
      await until(() => callerH245.received.length >= 2, 'our TCS and MSD on the caller’s H.245 listener');
      expect(callerH245.received.map(kindOf)).toEqual(['request.terminalCapabilitySet', 'request.masterSlaveDetermination']);
    } finally {
      socket.destroy();
      await mcu.close();
      await closePeer(callerH245);
    }
  });

  it('an H.245 connection that never comes up releases the call after the h245Connect timer', async () => {
    const timers: Array<{ fn: () => void; ms: number; cleared: boolean }> = [];
    const clock: CallClock = {
      setTimeout: (fn, ms) => {
        const t = { fn, ms, cleared: false };
        timers.push(t);
        return t;
      },
      clearTimeout: (h) => {
        (h as { cleared: boolean }).cleared = true;
      },
    };
    const mcu = new H323Endpoint(
      { onSetup: (call) => void call.accept({ localMedia: { address: LOCAL, rtpPort: 40000 } }) },
      { port: 0, host: LOCAL, h245, clock, timers: { h245Connect: 1234 } },
    );
    const port = (await mcu.listen()).port;
    const caller = new H323Endpoint({ onSetup: () => undefined }, { clock });
    try {
      // The caller has no H.245 at all, so it never connects to the h245Address of our Connect.
      const call = await caller.call({ address: LOCAL, port }, { localMedia: { address: LOCAL, rtpPort: 42000 }, fastStart: false, tunnelling: false });
      await until(() => call.state === 'active', 'Connect');
      const timer = timers.find((t) => t.ms === 1234 && !t.cleared)!;
      expect(timer).toBeDefined();
      timer.fn();
      await until(() => call.state === 'released', 'ReleaseComplete');
      expect(mcu.calls).toHaveLength(0);
    } finally {
      await caller.close();
      await mcu.close();
    }
  });

  it('with Fast Connect media the call survives a caller that never opens H.245 (faststart-alerting capture)', async () => {
    const timers: Array<{ fn: () => void; ms: number; cleared: boolean }> = [];
    const clock: CallClock = {
      setTimeout: (fn, ms) => {
        const t = { fn, ms, cleared: false };
        timers.push(t);
        return t;
      },
      clearTimeout: (h) => {
        (h as { cleared: boolean }).cleared = true;
      },
    };
    const mcu = new H323Endpoint(
      { onSetup: (call) => void call.accept({ localMedia: { address: LOCAL, rtpPort: 40000 } }) },
      { port: 0, host: LOCAL, h245, clock, timers: { h245Connect: 1234 } },
    );
    const port = (await mcu.listen()).port;
    const caller = new H323Endpoint({ onSetup: () => undefined }, { clock });
    try {
      const call = await caller.call({ address: LOCAL, port }, { localMedia: { address: LOCAL, rtpPort: 42000 }, fastStart: true, tunnelling: false });
      await until(() => call.state === 'active' && call.mediaChannels.length === 2, 'Connect with Fast Connect media');
      timers.find((t) => t.ms === 1234 && !t.cleared)!.fn();
      await new Promise((r) => setTimeout(r, 50));
      expect(call.state).toBe('active');
      expect(mcu.calls[0].state).toBe('active');
    } finally {
      await caller.close();
      await mcu.close();
    }
  });
});
