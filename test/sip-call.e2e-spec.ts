/**
 * Calls into rooms against the started MCU with SIPp scenarios from `test/sipp/`: OPTIONS; INVITE,
 * ACK, RTP played from a pcap, BYE; a lobby with CANCEL (487) and with admit (200); an unknown room
 * (404); a room PIN (403 when wrong or missing, 200 when right). While calls are up the roster is
 * read over REST, so the tests also check what the conference saw, not only what SIPp received.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { killAllChildren } from './support/child-registry';
import { McuProcess } from './support/mcu-process';
import { McuRestClient, Participant, Room } from './support/rest-client';
import { writeRtpTonePcap } from './support/rtp-pcap';
import { runSipp, startSipp } from './support/sipp';
import { expectCallsSucceeded } from './support/sipp-assertions';
import { waitFor } from './support/wait';

// Real processes and SIPp runs take seconds; Jest's default is 5 s.
jest.setTimeout(120_000);

describe('SIP calls into rooms (SIPp)', () => {
  let mcu: McuProcess;
  let rest: McuRestClient;
  let open: Room;
  let lobby: Room;
  let guarded: Room;
  let mediaDir: string;

  /** Polls the roster of `room` until `predicate` holds for one participant (≈10 s at most). */
  const participantWhere = (room: Room, what: string, predicate: (p: Participant) => boolean) =>
    waitFor(`participant in room ${room.number} ${what}`, async () => (await rest.participants(room.id)).find(predicate));

  /** Polls until the roster of `room` is empty (≈10 s at most). */
  const rosterEmpty = (room: Room) =>
    waitFor(`room ${room.number} to be empty`, async () => ((await rest.participants(room.id)).length === 0 ? true : undefined));

  beforeAll(async () => {
    mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-sipp-media-'));
    writeRtpTonePcap(path.join(mediaDir, 'tessera-tone.pcap'), { durationMs: 3000 });
    mcu = await McuProcess.start({ label: 'sip-call' });
    rest = new McuRestClient(mcu.baseUrl);
    open = await rest.createRoom({ name: 'Open room', number: '7100' });
    lobby = await rest.createRoom({ name: 'Lobby room', number: '7200', lobby: true });
    guarded = await rest.createRoom({ name: 'PIN room', number: '7300', pin: '4321' });
  });

  afterAll(async () => {
    await killAllChildren();
    await mcu?.dispose();
    if (mediaDir) fs.rmSync(mediaDir, { recursive: true, force: true });
  });

  it('answers OPTIONS with 200 carrying Allow, Accept and Supported', async () => {
    const result = await runSipp({ label: 'options', scenario: 'options.xml', remote: mcu.sipAddress, calls: 1, timeoutMs: 15_000, traceMessages: true });
    expectCallsSucceeded(result, 1, mcu);
  });

  it('INVITE/200/ACK with an SDP answer, RTP from a pcap for 3 s, BYE/200; the caller is a connected participant meanwhile', async () => {
    const sipp = await startSipp({
      label: 'call-with-rtp',
      scenario: 'call-with-rtp.xml',
      remote: mcu.sipAddress,
      service: open.number,
      calls: 1,
      callDurationMs: 4000,
      cwd: mediaDir,
      timeoutMs: 30_000,
      traceMessages: true,
    });
    const seen = participantWhere(open, 'connected over SIP', (p) => p.protocol === 'sip' && p.state === 'connected').catch((err: Error) => err);
    expectCallsSucceeded(await sipp.wait(), 1, mcu);
    const participant = await seen;
    if (participant instanceof Error) throw participant;
    expect(participant.remote).toContain(`127.0.0.1:${sipp.localPort}`);
    await rosterEmpty(open);
  });

  it('lobby: the caller rings (180) and waits in state "lobby"; CANCEL gets 200 and the INVITE 487', async () => {
    const sipp = await startSipp({
      label: 'lobby-cancel',
      scenario: 'lobby-cancel.xml',
      remote: mcu.sipAddress,
      service: lobby.number,
      calls: 1,
      callDurationMs: 3000,
      timeoutMs: 30_000,
      traceMessages: true,
    });
    const seen = participantWhere(lobby, 'waiting in the lobby', (p) => p.protocol === 'sip' && p.state === 'lobby').catch((err: Error) => err);
    expectCallsSucceeded(await sipp.wait(), 1, mcu);
    const waiting = await seen;
    if (waiting instanceof Error) throw waiting;
    await rosterEmpty(lobby);
  });

  it('lobby: admitting the waiting caller over REST answers its INVITE with 200', async () => {
    const sipp = await startSipp({
      label: 'lobby-admit',
      scenario: 'call.xml',
      remote: mcu.sipAddress,
      service: lobby.number,
      calls: 1,
      callDurationMs: 1000,
      recvTimeoutMs: 15_000,
      timeoutMs: 30_000,
      traceMessages: true,
    });
    const admitted = participantWhere(lobby, 'waiting in the lobby', (p) => p.state === 'lobby')
      .then((waiting) => rest.admit(lobby.id, waiting.id))
      .catch((err: Error) => err);
    expectCallsSucceeded(await sipp.wait(), 1, mcu);
    const outcome = await admitted;
    if (outcome instanceof Error) throw outcome;
    await rosterEmpty(lobby);
  });

  it('INVITE to an unknown room gets 404', async () => {
    const result = await runSipp({ label: 'unknown-room', scenario: 'invite-expect-404.xml', remote: mcu.sipAddress, service: '7999', calls: 1, timeoutMs: 15_000, traceMessages: true });
    expectCallsSucceeded(result, 1, mcu);
  });

  it('INVITE with a wrong PIN gets 403', async () => {
    const result = await runSipp({ label: 'wrong-pin', scenario: 'invite-expect-403.xml', remote: mcu.sipAddress, service: `${guarded.number}*0000`, calls: 1, timeoutMs: 15_000, traceMessages: true });
    expectCallsSucceeded(result, 1, mcu);
  });

  it('INVITE without the PIN to a room that has one gets 403', async () => {
    const result = await runSipp({ label: 'missing-pin', scenario: 'invite-expect-403.xml', remote: mcu.sipAddress, service: guarded.number, calls: 1, timeoutMs: 15_000, traceMessages: true });
    expectCallsSucceeded(result, 1, mcu);
  });

  it('INVITE with the right PIN (<number>*<pin>) is answered and completes', async () => {
    const result = await runSipp({ label: 'right-pin', scenario: 'call.xml', remote: mcu.sipAddress, service: `${guarded.number}*4321`, calls: 1, callDurationMs: 500, timeoutMs: 15_000, traceMessages: true });
    expectCallsSucceeded(result, 1, mcu);
    await rosterEmpty(guarded);
  });

  it('exits with code 0 on SIGTERM', async () => {
    expect(await mcu.stop()).toEqual({ code: 0, signal: null });
  });
});
