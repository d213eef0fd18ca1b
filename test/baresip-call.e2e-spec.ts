/**
 * A real SIP phone (baresip, headless config in `test/baresip/`) calls a room: the call is
 * established, the caller is listed by `GET /api/rooms/:id/participants` as a connected SIP
 * participant, and `DELETE` of that participant ends baresip's call (the MCU sends BYE).
 */
import { killAllChildren } from './support/child-registry';
import { Baresip } from './support/baresip';
import { McuProcess } from './support/mcu-process';
import { LOOPBACK } from './support/ports';
import { McuRestClient, Participant, Room } from './support/rest-client';
import { waitFor } from './support/wait';

// Real processes and SIPp runs take seconds; Jest's default is 5 s.
jest.setTimeout(120_000);

describe('baresip calls a room', () => {
  let mcu: McuProcess;
  let rest: McuRestClient;
  let room: Room;
  let phone: Baresip;

  beforeAll(async () => {
    mcu = await McuProcess.start({ label: 'baresip' });
    rest = new McuRestClient(mcu.baseUrl);
    room = await rest.createRoom({ name: 'baresip room', number: '7500' });
    phone = await Baresip.start({ label: 'call-room' });
  });

  afterAll(async () => {
    await killAllChildren();
    await phone?.dispose();
    await mcu?.dispose();
  });

  it('is established, listed as a connected SIP participant, and ended by DELETE of the participant', async () => {
    const dialled = await phone.dial(`sip:${room.number}@${mcu.sipAddress}`);
    expect(dialled.ok).toBe(true);
    await phone.waitForEvent('CALL_ESTABLISHED', 15_000);

    const participant = await waitFor<Participant>('baresip in the roster', async () =>
      (await rest.participants(room.id)).find((p) => p.protocol === 'sip' && p.state === 'connected'),
    );
    expect(participant.remote).toContain(`${LOOPBACK}:${phone.sipPort}`);
    // Nothing ended the call yet.
    expect(phone.events.some((e) => e.type === 'CALL_CLOSED')).toBe(false);

    await rest.hangUp(room.id, participant.id);
    const closed = await phone.waitForEvent('CALL_CLOSED', 10_000);
    // The phone was never told to hang up, so only the MCU's BYE can have closed the call.
    expect(closed.param ?? '').not.toMatch(/reset by user/i);
    await waitFor(`room ${room.number} to be empty`, async () => ((await rest.participants(room.id)).length === 0 ? true : undefined));
  });

  it('baresip quits cleanly', async () => {
    expect(await phone.quit()).toEqual({ code: 0, signal: null });
  });

  it('the MCU exits with code 0 on SIGTERM', async () => {
    expect(await mcu.stop()).toEqual({ code: 0, signal: null });
  });
});
