import { H225 } from '../asn1/generated';
import { decode, encode } from '../per/codec';
import { dialedDigitsAlias, h323IdAlias } from './ras-alias';
import { RasEndpoint } from './ras-endpoint';
import { startRasPair, until, type RasPair } from './ras-test-harness';
import { keepAliveDelay, rasTimerSettings } from './ras-timers';

/** Registration life cycle against the test gatekeeper (H.323 §7.2, H.225.0 §7). */
describe('RasEndpoint registration', () => {
  let pair: RasPair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  /** Every PDU the endpoint sent decodes and re-encodes to the same octets. */
  function expectSentPdusRoundTrip(p: RasPair): void {
    expect(p.gk.received.length).toBeGreaterThan(0);
    for (const r of p.gk.received) expect(encode(H225.RasMessage, decode(H225.RasMessage, r.bytes)).equals(r.bytes)).toBe(true);
  }

  it('discovers the gatekeeper (GRQ/GCF) and registers every alias (RRQ/RCF)', async () => {
    pair = await startRasPair({ timeToLive: 60 });
    await pair.reach('registered');
    expect(pair.states).toEqual(['discovering', 'registering', 'registered']);
    const [grq] = pair.gk.messages('gatekeeperRequest');
    expect(grq.rasAddress).toEqual({ tag: 'ipAddress', value: { ip: Buffer.from([127, 0, 0, 1]), port: pair.ep.localAddress?.port } });
    expect(grq.endpointType.mcu).toEqual({});
    const [rrq] = pair.gk.messages('registrationRequest');
    expect(rrq.discoveryComplete).toBe(true);
    expect(rrq.keepAlive).toBe(false);
    expect(rrq.terminalAlias).toEqual([{ tag: 'dialedDigits', value: '1001' }, { tag: 'h323-ID', value: 'room-a' }]);
    expect(rrq.callSignalAddress).toEqual([{ tag: 'ipAddress', value: { ip: Buffer.from([127, 0, 0, 1]), port: 1720 } }]);
    expect(rrq.gatekeeperIdentifier).toBe('TestGK');
    expect(rrq.terminalType).toMatchObject({ mcu: {}, mc: true, undefinedNode: false });
    expect(pair.ep.endpointIdentifier).toBe('1_endp');
    expect([...pair.gk.registrations.values()][0].aliases).toHaveLength(2);
    expectSentPdusRoundTrip(pair);
  });

  it('sends a lightweight keep-alive RRQ before timeToLive runs out, and again after each RCF', async () => {
    pair = await startRasPair({ timeToLive: 60 });
    await pair.reach('registered');
    const delay = keepAliveDelay(60, rasTimerSettings());
    expect(delay).toBe(41_000);
    pair.clock.advance(delay - 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pair.gk.messages('registrationRequest')).toHaveLength(1);
    for (let round = 1; round <= 2; round++) {
      const since = pair.gk.received.length;
      pair.clock.advance(round === 1 ? 1 : delay);
      const { message } = await pair.gk.waitFor((r) => r.message.tag === 'registrationRequest', 2000, since);
      if (message.tag !== 'registrationRequest') throw new Error('unreachable');
      expect(message.value.keepAlive).toBe(true);
      expect(message.value.endpointIdentifier).toBe('1_endp');
      expect(message.value.discoveryComplete).toBe(true);
      expect(message.value.timeToLive).toBe(60);
      expect(message.value.terminalAlias).toBeUndefined();
      await until(() => pair!.ep.stats!.received >= 2 + round, 2000, 'keep-alive RCF');
    }
    expect(pair.ep.state).toBe('registered');
    expect(pair.states).toEqual(['discovering', 'registering', 'registered']);
    expectSentPdusRoundTrip(pair);
  });

  it('does not send keep-alives when the RCF has no timeToLive', async () => {
    pair = await startRasPair({ timeToLive: null });
    await pair.reach('registered');
    expect(pair.clock.pending).toBe(0);
  });

  it('re-registers with a full RRQ when the aliases change (a room created, another deleted)', async () => {
    pair = await startRasPair();
    await pair.reach('registered');
    pair.aliases = [dialedDigitsAlias('1002'), h323IdAlias('room-b')];
    pair.ep.aliasesChanged();
    await until(() => pair!.gk.messages('registrationRequest').length === 2 && pair!.ep.state === 'registered');
    const rrq = pair.gk.messages('registrationRequest')[1];
    expect(rrq.keepAlive).toBe(false);
    expect(rrq.terminalAlias).toEqual([{ tag: 'dialedDigits', value: '1002' }, { tag: 'h323-ID', value: 'room-b' }]);
    expect(pair.ep.endpointIdentifier).toBe('1_endp');
    expect([...pair.gk.registrations.values()][0].aliases).toEqual(rrq.terminalAlias);
  });

  it('takes alias changes made while an RRQ is outstanding into a further RRQ', async () => {
    pair = await startRasPair();
    await pair.gk.waitFor((r) => r.message.tag === 'registrationRequest', 2000, 0);
    expect(pair.ep.state).toBe('registering');
    pair.aliases = [...pair.aliases, dialedDigitsAlias('1003')];
    pair.ep.aliasesChanged();
    await until(() => pair!.gk.messages('registrationRequest').length === 2 && pair!.ep.state === 'registered');
    expect(pair.gk.messages('registrationRequest')[1].terminalAlias).toHaveLength(3);
  });

  it('registers again with a full RRQ when a restarted gatekeeper answers the keep-alive with RRJ fullRegistrationRequired', async () => {
    pair = await startRasPair({ timeToLive: 60 });
    await pair.reach('registered');
    pair.gk.restart();
    pair.clock.advance(41_000);
    await until(() => pair!.gk.messages('registrationRequest').length === 3 && pair!.ep.state === 'registered');
    const [, keepAlive, full] = pair.gk.messages('registrationRequest');
    expect(keepAlive.keepAlive).toBe(true);
    expect(full.keepAlive).toBe(false);
    expect(full.terminalAlias).toHaveLength(2);
    expect(pair.ep.endpointIdentifier).toBe('2_endp');
    expect(pair.states).toEqual(['discovering', 'registering', 'registered', 'registering', 'registered']);
  });

  it('goes back to discovery when keep-alives go unanswered, and registers once the gatekeeper answers again', async () => {
    pair = await startRasPair({ timeToLive: 60 });
    await pair.reach('registered');
    pair.gk.silent = true;
    pair.clock.advance(41_000);
    await until(() => pair!.gk.messages('registrationRequest').length === 2);
    for (let i = 0; i < 2; i++) {
      const since = pair.gk.received.length;
      pair.clock.advance(3000);
      await pair.gk.waitFor(() => true, 2000, since);
    }
    const keepAlives = pair.gk.messages('registrationRequest').slice(1);
    expect(keepAlives).toHaveLength(3);
    expect(new Set(keepAlives.map((k) => k.requestSeqNum)).size).toBe(1);
    expect(pair.ep.stats?.retransmissions).toBe(2);
    pair.gk.silent = false;
    pair.clock.advance(3000);
    await until(() => pair!.states.length === 6, 2000, 'discovery and registration');
    expect(pair.states.slice(3)).toEqual(['discovering', 'registering', 'registered']);
    expect(pair.gk.messages('gatekeeperRequest')).toHaveLength(2);
  });

  it('answers RRJ discoveryRequired with a new GRQ', async () => {
    pair = await startRasPair({ timeToLive: 60 });
    await pair.reach('registered');
    pair.gk.rejectKeepAlive = 'discoveryRequired';
    pair.clock.advance(41_000);
    await until(() => pair!.gk.messages('gatekeeperRequest').length === 2);
    pair.gk.rejectKeepAlive = undefined;
    await pair.reach('registered');
  });

  it("discovers with 'auto' (GRQ to the discovery address, here the test gatekeeper) and registers at the GCF's rasAddress", async () => {
    pair = await startRasPair({}, {}, { start: false });
    const ep = new RasEndpoint({
      gatekeeper: 'auto',
      discoveryAddress: pair.gk.address,
      callSignalAddress: { address: '127.0.0.1', port: 1720 },
      rasAddress: { address: '127.0.0.1' },
      aliases: () => [h323IdAlias('room-auto')],
      clock: pair.clock,
    });
    await ep.start();
    await until(() => ep.state === 'registered');
    expect(pair.gk.messages('gatekeeperRequest')).toHaveLength(1);
    expect(pair.gk.messages('registrationRequest')[0].terminalAlias).toEqual([h323IdAlias('room-auto')]);
    await ep.stop();
    expect(pair.gk.registrations.size).toBe(0);
  });

  it('keeps the previous aliases when the aliases callback throws', async () => {
    let fail = false;
    pair = await startRasPair({}, {});
    const p = pair;
    await p.reach('registered');
    const aliases = p.aliases;
    Object.defineProperty(p, 'aliases', { get: () => (fail ? (() => { throw new Error('rooms unavailable'); })() : aliases) });
    fail = true;
    p.ep.aliasesChanged();
    await until(() => p.gk.messages('registrationRequest').length === 2 && p.ep.state === 'registered');
    expect(p.gk.messages('registrationRequest')[1].terminalAlias).toHaveLength(2);
    fail = false;
  });

  it('unregisters on stop (URQ/UCF) and closes', async () => {
    pair = await startRasPair();
    await pair.reach('registered');
    await pair.ep.stop();
    const [urq] = pair.gk.messages('unregistrationRequest');
    expect(urq.endpointIdentifier).toBe('1_endp');
    expect(urq.endpointAlias).toHaveLength(2);
    expect(urq.callSignalAddress).toHaveLength(1);
    expect(pair.gk.registrations.size).toBe(0);
    expect(pair.ep.state).toBe('stopped');
    expect(pair.states.slice(-2)).toEqual(['unregistering', 'stopped']);
    await Promise.all([pair.ep.stop(), pair.ep.stop()]);
    expectSentPdusRoundTrip(pair);
  });

  it('stop() returns after the URQ retries when the gatekeeper is silent', async () => {
    pair = await startRasPair();
    await pair.reach('registered');
    pair.gk.silent = true;
    const stopping = pair.ep.stop();
    await until(() => pair!.gk.messages('unregistrationRequest').length === 1);
    for (let i = 1; i <= 3; i++) {
      pair.clock.advance(3000);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await stopping;
    expect(pair.gk.messages('unregistrationRequest')).toHaveLength(3);
    expect(pair.ep.state).toBe('stopped');
    expect(pair.clock.pending).toBe(0);
  });
});
