/**
 * Load over both SIP transports: 100 calls (INVITE/200/ACK, 2 s, BYE/200) at 20 calls per second,
 * with zero failed calls, first over UDP, then over TCP (one connection, `-t t1`); afterwards the
 * room's roster must be empty again (no leaked participants). Speed itself is measured in bench/.
 */
import { killAllChildren } from './support/child-registry';
import { McuProcess } from './support/mcu-process';
import { McuRestClient, Room } from './support/rest-client';
import { runSipp, SippTransport } from './support/sipp';
import { expectCallsSucceeded } from './support/sipp-assertions';
import { waitFor } from './support/wait';

// Real processes and SIPp runs take seconds; Jest's default is 5 s.
jest.setTimeout(120_000);

describe('100 calls at 20 calls/s (SIPp)', () => {
  let mcu: McuProcess;
  let rest: McuRestClient;
  let room: Room;

  beforeAll(async () => {
    // info, not debug: a debug line per message would make the log the bottleneck.
    mcu = await McuProcess.start({ label: 'sip-load', logLevel: 'info', rtpPortCount: 600 });
    rest = new McuRestClient(mcu.baseUrl);
    room = await rest.createRoom({ name: 'Load room', number: '7400', maxParticipants: 200 });
  });

  afterAll(async () => {
    await killAllChildren();
    await mcu?.dispose();
  });

  it.each<[string, SippTransport]>([
    ['UDP', 'u1'],
    ['TCP', 't1'],
  ])('over %s: all 100 calls succeed and the room is empty afterwards', async (name, transport) => {
    const result = await runSipp({
      label: `load-${name.toLowerCase()}`,
      scenario: 'call.xml',
      remote: mcu.sipAddress,
      transport,
      service: room.number,
      calls: 100,
      rate: 20,
      callLimit: 100,
      callDurationMs: 2000,
      timeoutMs: 60_000,
    });
    expectCallsSucceeded(result, 100, mcu);
    await waitFor(`room ${room.number} to be empty`, async () => ((await rest.participants(room.id)).length === 0 ? true : undefined));
  });

  it('exits with code 0 on SIGTERM', async () => {
    expect(await mcu.stop()).toEqual({ code: 0, signal: null });
  });
});
