/**
 * H.323 calls into rooms against the started MCU, placed by the project's own H.323 endpoint (`@mcu/h323`)
 * in the three ways deployed equipment calls (issue 4, "What must hold" 4): Fast Connect with H.245
 * tunnelling, no Fast Connect with H.245 on a separate connection, and tunnelled H.245 without Fast Connect.
 * Each call connects, opens audio both ways, shows up in the room's roster as an h323 participant and
 * releases cleanly. Refusals carry the documented reasons and causes (unknown room → unreachableDestination
 * cause 1; locked room, missing or wrong PIN → destinationRejection cause 21), a DELETE of the participant
 * over REST ends the call with ReleaseComplete, and tshark's dissection of the whole exchange (Q.931, H.225.0,
 * H.245 on the separate connections it learns from the signalling) has no malformed packet and no expert error.
 */
import * as net from 'node:net';
import {
  H323Endpoint,
  h245SessionPorts,
  type H323Alias,
  type H323Call,
  type H323MediaChannel,
  type H323ReleaseInfo,
  type OutgoingCall,
} from '@mcu/h323';
import { artifactPath } from './support/artifacts';
import { killAllChildren } from './support/child-registry';
import { McuProcess } from './support/mcu-process';
import { freeTcpPort, freeUdpPortRange, LOOPBACK, PORT_REGIONS, releasePortRange, type PortRange } from './support/ports';
import { McuRestClient, type Participant, type Room } from './support/rest-client';
import { captureUnavailable, malformedPackets, readFields, TsharkCapture } from './support/tshark';
import { waitFor } from './support/wait';

jest.setTimeout(120_000);

/** How a test call is placed. */
interface Mode {
  readonly name: string;
  readonly fastStart: boolean;
  readonly tunnelling: boolean;
}

const MODES: readonly Mode[] = [
  { name: 'Fast Connect + H.245 tunnelling', fastStart: true, tunnelling: true },
  { name: 'no Fast Connect, H.245 on a separate connection', fastStart: false, tunnelling: false },
  { name: 'H.245 tunnelled without Fast Connect', fastStart: false, tunnelling: true },
];

/** Collects a call's events as they come. */
class CallRecorder {
  readonly media: H323MediaChannel[] = [];
  connected = false;
  released: H323ReleaseInfo | undefined;

  constructor(readonly call: H323Call) {
    call.on('connected', () => (this.connected = true));
    call.on('media', (channel) => this.media.push(channel));
    call.on('released', (info) => (this.released = info));
  }

  /** Both audio directions open (≈10 s at most). */
  audioBothWays(): Promise<{ send: H323MediaChannel; receive: H323MediaChannel }> {
    return waitFor(`audio both ways on ${this.call.label}`, async () => {
      const send = this.media.find((m) => m.direction === 'send');
      const receive = this.media.find((m) => m.direction === 'receive');
      return send && receive ? { send, receive } : undefined;
    });
  }

  /** The release (≈10 s at most). */
  releaseInfo(): Promise<H323ReleaseInfo> {
    return waitFor(`release of ${this.call.label}`, async () => this.released);
  }
}

const describeCapture = captureUnavailable() ? describe.skip : describe;

describe('H.323 calls into rooms (own endpoint)', () => {
  let mcu: McuProcess;
  let rest: McuRestClient;
  let h323Port: number;
  let caller: H323Endpoint;
  let rtp: PortRange;
  let open: Room;
  let locked: Room;
  let guarded: Room;
  let capture: TsharkCapture | undefined;
  const calls: OutgoingCall[] = [];

  const place = async (destination: H323Alias[], mode: Pick<Mode, 'fastStart' | 'tunnelling'>): Promise<CallRecorder> => {
    const call = await caller.call(
      { address: LOOPBACK, port: h323Port },
      { localMedia: { address: LOOPBACK, rtpPort: rtp.min }, fastStart: mode.fastStart, tunnelling: mode.tunnelling, destination, displayName: 'Test Room System' },
    );
    calls.push(call);
    return new CallRecorder(call);
  };

  const h323ParticipantIn = (room: Room) =>
    waitFor(`an h323 participant in room ${room.number}`, async () => (await rest.participants(room.id)).find((p: Participant) => p.protocol === 'h323' && p.state === 'connected'));

  const rosterEmpty = (room: Room) =>
    waitFor(`room ${room.number} to be empty`, async () => ((await rest.participants(room.id)).length === 0 ? true : undefined));

  beforeAll(async () => {
    h323Port = await freeTcpPort();
    rtp = await freeUdpPortRange({ count: 2, region: PORT_REGIONS.peers });
    if (!captureUnavailable()) {
      // Everything on the signalling port, and every other TCP exchange of the test except REST and Redis
      // (H.245 on separate connections uses ephemeral ports learnt from the signalling).
      capture = await TsharkCapture.start(`tcp port ${h323Port} or (tcp portrange 1024-65535 and not port 6379)`, artifactPath('h323-call', '.pcapng'));
    }
    mcu = await McuProcess.start({ label: 'h323-call', env: { MCU_H323_PORT: String(h323Port) } });
    rest = new McuRestClient(mcu.baseUrl);
    open = await rest.createRoom({ name: 'H323 open room', number: '7400' });
    locked = await rest.createRoom({ name: 'H323 locked room', number: '7600', locked: true });
    guarded = await rest.createRoom({ name: 'H323 PIN room', number: '7500', pin: '2468' });
    caller = new H323Endpoint(
      { onSetup: (call) => call.reject('rejected') },
      { host: LOOPBACK, port: 0, h245: h245SessionPorts({ capabilities: { audio: ['g711Ulaw64k', 'g711Alaw64k'] } }) },
    );
  });

  afterAll(async () => {
    for (const call of calls) call.hangUp('normal');
    await caller?.close();
    await capture?.stop();
    await killAllChildren();
    await mcu?.dispose();
    if (rtp) releasePortRange(rtp);
  });

  it.each(MODES)('$name: connects, opens G.711 audio both ways, is an h323 participant, releases cleanly', async (mode) => {
    const rec = await place([{ type: 'dialedDigits', value: open.number }], mode);
    const { send, receive } = await rec.audioBothWays();
    expect(rec.connected).toBe(true);
    expect(rec.call.h245Transport).toBe(mode.tunnelling ? 'tunnelled' : 'separate');
    expect(['PCMU', 'PCMA']).toContain(send.codec);
    expect(send.remoteRtp?.address).toBe(LOOPBACK);
    expect(send.remoteRtp!.port % 2).toBe(0);
    expect(send.remoteRtp!.port).toBeGreaterThanOrEqual(mcu.rtpPorts.min);
    expect(send.remoteRtp!.port).toBeLessThanOrEqual(mcu.rtpPorts.max);
    expect(receive.localRtpPort).toBe(rtp.min);
    const participant = await h323ParticipantIn(open);
    expect(participant.displayName).toBe('Test Room System');
    expect((await rest.health()).body).toMatchObject({ h323: { status: 'up', tcp: `${LOOPBACK}:${h323Port}` } });
    expect(participant.remote).toContain(LOOPBACK);
    rec.call.hangUp('normal');
    await expect(rec.releaseInfo()).resolves.toMatchObject({ by: 'local' });
    await rosterEmpty(open);
  });

  it('reaches a room by its id as h323-ID and by the Called party number', async () => {
    const byId = await place([{ type: 'h323-ID', value: open.id }], { fastStart: true, tunnelling: true });
    await byId.audioBothWays();
    await h323ParticipantIn(open);
    byId.call.hangUp('normal');
    await byId.releaseInfo();
    await rosterEmpty(open);

    const call = await caller.call(
      { address: LOOPBACK, port: h323Port },
      { localMedia: { address: LOOPBACK, rtpPort: rtp.min }, calledPartyNumber: { typeOfNumber: 0, numberingPlan: 1, digits: open.number } },
    );
    calls.push(call);
    const byNumber = new CallRecorder(call);
    await byNumber.audioBothWays();
    await h323ParticipantIn(open);
    call.hangUp('normal');
    await byNumber.releaseInfo();
    await rosterEmpty(open);
  });

  it.each([
    ['G.722', 'G722', 'g722-64k'],
    ['G.711 A-law', 'PCMA', 'g711Alaw64k'],
  ] as const)('a %s-only caller gets %s audio both ways (Fast Connect and H.245)', async (_name, codec, capability) => {
    const only = new H323Endpoint(
      { onSetup: (call) => call.reject('rejected') },
      { host: LOOPBACK, port: 0, codecs: [capability], h245: h245SessionPorts({ capabilities: { audio: [capability] } }) },
    );
    try {
      for (const fastStart of [true, false]) {
        const call = await only.call({ address: LOOPBACK, port: h323Port }, { localMedia: { address: LOOPBACK, rtpPort: rtp.min }, fastStart, destination: [{ type: 'dialedDigits', value: open.number }] });
        const rec = new CallRecorder(call);
        const { send, receive } = await rec.audioBothWays();
        expect([send.codec, receive.codec]).toEqual([codec, codec]);
        await h323ParticipantIn(open);
        call.hangUp('normal');
        await rec.releaseInfo();
        await rosterEmpty(open);
      }
    } finally {
      await only.close();
    }
  });

  it('refuses an unknown room with unreachableDestination, cause 1', async () => {
    const rec = await place([{ type: 'dialedDigits', value: '9999999' }], { fastStart: true, tunnelling: true });
    await expect(rec.releaseInfo()).resolves.toEqual({ reason: 'unknownDestination', causeValue: 1, by: 'remote' });
    expect(rec.connected).toBe(false);
  });

  it('refuses a locked room with destinationRejection, cause 21', async () => {
    const rec = await place([{ type: 'dialedDigits', value: locked.number }], { fastStart: true, tunnelling: true });
    await expect(rec.releaseInfo()).resolves.toEqual({ reason: 'rejected', causeValue: 21, by: 'remote' });
  });

  it('refuses a PIN room dialled with a wrong PIN and admits <number>*<pin>', async () => {
    const wrong = await place([{ type: 'dialedDigits', value: `${guarded.number}*1111` }], { fastStart: true, tunnelling: true });
    await expect(wrong.releaseInfo()).resolves.toEqual({ reason: 'rejected', causeValue: 21, by: 'remote' });
    const rec = await place([{ type: 'dialedDigits', value: `${guarded.number}*2468` }], { fastStart: false, tunnelling: true });
    await rec.audioBothWays();
    await h323ParticipantIn(guarded);
    rec.call.hangUp('normal');
    await rec.releaseInfo();
    await rosterEmpty(guarded);
  });

  it('a PIN room dialled without the PIN connects the caller, who keys the PIN as DTMF (UserInputIndication) and joins', async () => {
    const rec = await place([{ type: 'dialedDigits', value: guarded.number }], { fastStart: true, tunnelling: true });
    await rec.audioBothWays();
    expect(await rest.participants(guarded.id)).toEqual([]);
    await waitFor('H.245 ready for user input', async () => (rec.call.sendUserInput('2') ? true : undefined));
    for (const digit of '468#') expect(rec.call.sendUserInput(digit)).toBe(true);
    await h323ParticipantIn(guarded);
    rec.call.hangUp('normal');
    await rec.releaseInfo();
    await rosterEmpty(guarded);
  });

  it('ends the call with ReleaseComplete when the participant is deleted over REST', async () => {
    const rec = await place([{ type: 'dialedDigits', value: open.number }], { fastStart: false, tunnelling: false });
    await rec.audioBothWays();
    const participant = await h323ParticipantIn(open);
    await rest.hangUp(open.id, participant.id);
    await expect(rec.releaseInfo()).resolves.toMatchObject({ by: 'remote', causeValue: 16 });
    await rosterEmpty(open);
  });

  describeCapture('on the wire', () => {
    it('tshark dissects every Q.931/H.225.0/H.245 packet of these calls without malformed packets or expert errors', async () => {
      await capture!.stop();
      // Decode As "tpkt" hands TPKT to the OSI transport (COTP) in this Wireshark; Q.931 over TPKT is found by
      // its enabled TCP heuristic instead, and H.245 on separate connections from the h245Address in the signalling.
      const decodeAs: string[] = [];
      const undecoded = await readFields(capture!.file, decodeAs, ['frame.number'], `tcp.port == ${h323Port} && tcp.len > 0 && !q931`);
      expect(undecoded).toEqual([]);
      const rows = await readFields(capture!.file, decodeAs, ['q931.message_type', 'h225.h323_message_body', 'h245.pdu_type'], 'q931 || h245');
      // Q.931 message types: 0x05 Setup, 0x02 Call Proceeding, 0x07 Connect, 0x5a Release Complete, 0x62 Facility.
      expect(rows.map((r) => r[0])).toEqual(expect.arrayContaining(['0x05', '0x02', '0x07', '0x5a']));
      // H.245 both tunnelled (inside Q.931) and on the separate connection (no Q.931 type).
      expect(rows.some((r) => r[0] !== '' && r[2] !== '')).toBe(true);
      expect(rows.some((r) => r[0] === '' && r[2] !== '')).toBe(true);
      expect(await malformedPackets(capture!.file, decodeAs)).toEqual([]);
    });
  });

  // After the capture: these octets are malformed on purpose.
  it('malformed octets on the signalling port: not TPKT closes the connection, a bad Q.931 message is ignored (Q.931 §5.8.1); the MCU keeps taking calls', async () => {
    const send = async (bytes: Buffer, waitForClose: boolean): Promise<boolean> => {
      const socket = net.connect(h323Port, LOOPBACK);
      socket.on('error', () => undefined);
      let closedByPeer = false;
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.once('end', () => (closedByPeer = true));
      socket.write(bytes);
      const timer = setTimeout(() => socket.destroy(), waitForClose ? 5000 : 300);
      await closed;
      clearTimeout(timer);
      return closedByPeer;
    };
    expect(await send(Buffer.from('GET / HTTP/1.0\r\n\r\n'), true)).toBe(true);
    // TPKT with a Q.931 protocol discriminator that is not 0x08, and one announcing more than it carries.
    await send(Buffer.from([3, 0, 0, 9, 0x99, 0, 0, 0, 0]), false);
    await send(Buffer.from([3, 0, 0xff, 0xff, 8, 2, 0, 1, 5]), false);
    expect((await rest.health()).status).toBe(200);
    const rec = await place([{ type: 'dialedDigits', value: open.number }], { fastStart: true, tunnelling: true });
    await rec.audioBothWays();
    rec.call.hangUp('normal');
    await rec.releaseInfo();
    await rosterEmpty(open);
  });

  it('shutdown (SIGTERM) releases a live call with ReleaseComplete and exits 0', async () => {
    const rec = await place([{ type: 'dialedDigits', value: open.number }], { fastStart: true, tunnelling: true });
    await rec.audioBothWays();
    await h323ParticipantIn(open);
    await expect(mcu.stop()).resolves.toEqual({ code: 0, signal: null });
    // A ReleaseComplete with normal call clearing (16), not just a dropped connection (no cause).
    await expect(rec.releaseInfo()).resolves.toMatchObject({ by: 'remote', causeValue: 16 });
  });
});

describe('H.323 switched off (MCU_H323_ENABLED=false)', () => {
  let mcu: McuProcess | undefined;

  afterAll(async () => {
    await killAllChildren();
    await mcu?.dispose();
  });

  it('opens no H.323 listener and reports no h323 component; REST and SIP still serve', async () => {
    const h323Port = await freeTcpPort();
    mcu = await McuProcess.start({ label: 'h323-disabled', env: { MCU_H323_ENABLED: 'false', MCU_H323_PORT: String(h323Port) } });
    const health = await new McuRestClient(mcu.baseUrl).health();
    expect(health.status).toBe(200);
    expect(health.body).not.toHaveProperty('h323');
    expect(health.body).toHaveProperty('sip');
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(h323Port, LOOPBACK);
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    await expect(mcu.stop()).resolves.toEqual({ code: 0, signal: null });
  });
});
