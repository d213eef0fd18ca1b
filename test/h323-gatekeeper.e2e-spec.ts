/**
 * The MCU registers its rooms with a gatekeeper (issue 4, "What must hold" 5), played by the project's
 * `TestGatekeeper` inside the jest process: with MCU_H323_GATEKEEPER=127.0.0.1:<port> the MCU discovers it
 * (GRQ/GCF), registers (RRQ/RCF), re-registers with every room's number (dialedDigits) and id (h323-ID) when
 * rooms are created and drops them when deleted, asks admission for an incoming call (ARQ/ACF) and disengages
 * after it (DRQ/DCF), releases a call the gatekeeper disengages, and unregisters (URQ/UCF) when it is stopped. tshark's dissection of the RAS exchange
 * (Decode As H.225.0 on the gatekeeper's port) has no malformed packet and no expert error.
 */
import { fromTransportAddress, H323Endpoint, TestGatekeeper, type H225Types, type H323ReleaseInfo, type RasValue } from '@mcu/h323';
import { artifactPath } from './support/artifacts';
import { killAllChildren } from './support/child-registry';
import { McuProcess } from './support/mcu-process';
import { freeTcpPort, freeUdpPortRange, LOOPBACK, PORT_REGIONS, releasePortRange, type PortRange } from './support/ports';
import { McuRestClient, type Room } from './support/rest-client';
import { captureUnavailable, malformedPackets, readFields, TsharkCapture } from './support/tshark';
import { waitFor } from './support/wait';

jest.setTimeout(120_000);

/** The aliases of a full RRQ as `tag:value` strings. */
function aliasesOf(rrq: RasValue<'registrationRequest'>): string[] {
  return (rrq.terminalAlias ?? []).map((a: H225Types.AliasAddress) => `${a.tag}:${typeof a.value === 'string' ? a.value : JSON.stringify(a.value)}`);
}

describe('H.323 gatekeeper registration (RAS, test gatekeeper)', () => {
  let gk: TestGatekeeper;
  let mcu: McuProcess;
  let rest: McuRestClient;
  let h323Port: number;
  let rtp: PortRange;
  let capture: TsharkCapture | undefined;
  let caller: H323Endpoint | undefined;

  /** Full (not keep-alive) RRQs received so far. */
  const fullRrqs = () => gk.messages('registrationRequest').filter((r) => r.keepAlive !== true);

  beforeAll(async () => {
    // A short timeToLive (s) so that keep-alive RRQs come within the test (half of it, H.225.0 §7.9.1 leaves the margin to us).
    gk = await TestGatekeeper.start({ address: LOOPBACK, timeToLive: 2 });
    h323Port = await freeTcpPort();
    rtp = await freeUdpPortRange({ count: 2, region: PORT_REGIONS.peers });
    if (!captureUnavailable()) capture = await TsharkCapture.start(`udp port ${gk.address.port}`, artifactPath('h323-gatekeeper', '.pcapng'));
    mcu = await McuProcess.start({
      label: 'h323-gatekeeper',
      env: { MCU_H323_PORT: String(h323Port), MCU_H323_GATEKEEPER: `${LOOPBACK}:${gk.address.port}` },
    });
    rest = new McuRestClient(mcu.baseUrl);
  });

  afterAll(async () => {
    await caller?.close();
    await capture?.stop();
    await killAllChildren();
    await mcu?.dispose();
    await gk?.close();
    if (rtp) releasePortRange(rtp);
  });

  let room: Room;

  it('discovers the gatekeeper and registers as an MCU with our call signalling address', async () => {
    await waitFor('RCF sent', async () => (gk.registrations.size > 0 ? true : undefined));
    expect(gk.messages('gatekeeperRequest').length).toBeGreaterThan(0);
    const [rrq] = fullRrqs();
    expect(rrq.terminalType.mc).toBe(true);
    expect(rrq.callSignalAddress).toEqual([{ tag: 'ipAddress', value: { ip: Buffer.from([127, 0, 0, 1]), port: h323Port } }]);
    const health = await rest.health();
    expect(health.body).toMatchObject({ h323: { status: 'up', gatekeeper: 'registered' } });
  });

  it('re-registers with every room number (dialedDigits) and id (h323-ID) as rooms are created, renumbered and deleted', async () => {
    room = await rest.createRoom({ name: 'GK room', number: '7700' });
    const other = await rest.createRoom({ name: 'GK other room', number: '7701' });
    const both = await waitFor('RRQ with both rooms', async () =>
      fullRrqs().find((r) => aliasesOf(r).includes(`dialedDigits:${other.number}`) && aliasesOf(r).includes(`dialedDigits:${room.number}`)),
    );
    expect(aliasesOf(both)).toEqual(expect.arrayContaining([`dialedDigits:7700`, `h323-ID:${room.id}`, `dialedDigits:7701`, `h323-ID:${other.id}`]));
    const beforeRenumber = fullRrqs().length;
    const patched = await rest.request('PATCH', `/api/rooms/${other.id}`, { number: '7703' });
    expect(patched.status).toBe(200);
    const renumbered = await waitFor('RRQ with the new number', async () => fullRrqs().slice(beforeRenumber).find((r) => aliasesOf(r).includes('dialedDigits:7703')));
    expect(aliasesOf(renumbered)).not.toContain('dialedDigits:7701');
    const seen = fullRrqs().length;
    await rest.deleteRoom(other.id);
    const after = await waitFor('RRQ without the deleted room', async () => fullRrqs().slice(seen).find((r) => !aliasesOf(r).includes('dialedDigits:7703')));
    expect(aliasesOf(after)).toEqual([`dialedDigits:7700`, `h323-ID:${room.id}`]);
  });

  it('asks admission (ARQ answerCall) before answering a call and disengages (DRQ) after it', async () => {
    caller = new H323Endpoint({ onSetup: (c) => c.reject('rejected') }, { host: LOOPBACK, port: 0 });
    const call = await caller.call({ address: LOOPBACK, port: h323Port }, {
      localMedia: { address: LOOPBACK, rtpPort: rtp.min },
      destination: [{ type: 'dialedDigits', value: room.number }],
    });
    let released: H323ReleaseInfo | undefined;
    call.on('released', (info) => (released = info));
    await waitFor('Fast Connect audio', async () => (call.mediaChannels.length >= 2 ? true : undefined));
    const [arq] = gk.messages('admissionRequest');
    expect(arq.answerCall).toBe(true);
    expect(arq.callIdentifier?.guid).toEqual(call.callIdentifier);
    expect(arq.destinationInfo).toEqual([{ tag: 'dialedDigits', value: room.number }]);
    call.hangUp('normal');
    await waitFor('release', async () => released);
    const drq = await waitFor('DRQ', async () => gk.messages('disengageRequest')[0]);
    expect(drq.callIdentifier?.guid).toEqual(call.callIdentifier);
  });

  it('releases a call the gatekeeper disengages (DRQ → DCF, ReleaseComplete)', async () => {
    const call = await caller!.call({ address: LOOPBACK, port: h323Port }, {
      localMedia: { address: LOOPBACK, rtpPort: rtp.min },
      destination: [{ type: 'dialedDigits', value: room.number }],
    });
    let released: H323ReleaseInfo | undefined;
    call.on('released', (info) => (released = info));
    await waitFor('Fast Connect audio', async () => (call.mediaChannels.length >= 2 ? true : undefined));
    const arq = await waitFor('ARQ of this call', async () => gk.messages('admissionRequest').find((a) => a.callIdentifier?.guid.equals(call.callIdentifier)));
    const rrq = fullRrqs()[fullRrqs().length - 1];
    const mcuRas = fromTransportAddress(rrq.rasAddress[0]);
    if (!mcuRas) throw new Error('the RRQ carried no IPv4 RAS address');
    const drqsBefore = gk.messages('disengageRequest').length;
    const answer = await gk.request({
      tag: 'disengageRequest',
      value: {
        requestSeqNum: gk.nextSeq(),
        endpointIdentifier: [...gk.registrations.keys()][0],
        conferenceID: arq.conferenceID,
        callReferenceValue: arq.callReferenceValue,
        disengageReason: { tag: 'forcedDrop', value: null },
        callIdentifier: { guid: call.callIdentifier },
      },
    }, mcuRas);
    expect(answer.tag).toBe('disengageConfirm');
    expect(await waitFor('release', async () => released)).toMatchObject({ by: 'remote', causeValue: 16 });
    await waitFor('room empty', async () => ((await rest.participants(room.id)).length === 0 ? true : undefined));
    // The gatekeeper ended the call itself: no DRQ of ours follows.
    expect(gk.messages('disengageRequest')).toHaveLength(drqsBefore);
  });

  it('keeps the registration alive with lightweight RRQs and registers fully again after the gatekeeper forgot it', async () => {
    const since = gk.received.length;
    const keepAlive = await gk.waitFor((r) => r.message.tag === 'registrationRequest' && r.message.value.keepAlive === true, 5000, since);
    expect((keepAlive.message.value as RasValue<'registrationRequest'>).terminalAlias).toBeUndefined();
    const beforeRestart = gk.received.length;
    gk.restart();
    const full = await gk.waitFor((r) => r.message.tag === 'registrationRequest' && r.message.value.keepAlive !== true, 8000, beforeRestart);
    expect(aliasesOf(full.message.value as RasValue<'registrationRequest'>)).toEqual([`dialedDigits:7700`, `h323-ID:${room.id}`]);
    await waitFor('registered again', async () => (gk.registrations.size === 1 ? true : undefined));
  });

  it('unregisters (URQ) when the MCU stops, and exits 0', async () => {
    const status = await mcu.stop();
    expect(status).toEqual({ code: 0, signal: null });
    const [urq] = gk.messages('unregistrationRequest');
    expect(urq).toBeDefined();
    expect((urq.endpointAlias ?? []).map((a) => `${a.tag}:${String(a.value)}`)).toEqual([`dialedDigits:7700`, `h323-ID:${room.id}`]);
  });

  (captureUnavailable() ? it.skip : it)('tshark decodes the RAS exchange as H.225.0 without malformed packets or expert errors', async () => {
    await capture!.stop();
    const decodeAs = [`udp.port==${gk.address.port},h225`];
    const infos = (await readFields(capture!.file, decodeAs, ['_ws.col.Info'])).map(([info]) => info.replace(/^RAS: /, '').trim());
    for (const message of ['gatekeeperRequest', 'gatekeeperConfirm', 'registrationRequest', 'registrationConfirm', 'admissionRequest', 'admissionConfirm', 'disengageRequest', 'disengageConfirm', 'unregistrationRequest', 'unregistrationConfirm']) {
      expect(infos).toContain(message);
    }
    expect(await malformedPackets(capture!.file, decodeAs)).toEqual([]);
  });
});
