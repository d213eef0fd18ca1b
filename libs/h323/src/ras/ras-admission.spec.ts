import { randomBytes } from 'node:crypto';
import { dialedDigitsAlias, h323IdAlias } from './ras-alias';
import type { RasCall } from './ras-messages';
import { startRasPair, until, type RasPair } from './ras-test-harness';

/** ARQ/ACF/ARJ for incoming calls and DRQ/DCF when they end (H.323 §8.1, §8.5; H.225.0 §7). */
describe('RasEndpoint admission', () => {
  let pair: RasPair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  function call(): RasCall {
    return {
      callIdentifier: randomBytes(16),
      conferenceID: randomBytes(16),
      callReferenceValue: 21027,
      srcInfo: [h323IdAlias('caller')],
      destinationInfo: [dialedDigitsAlias('1001')],
      srcCallSignalAddress: { address: '127.0.0.1', port: 32000 },
      bandwidth: 1280,
    };
  }

  it('asks the gatekeeper to admit an incoming call (ARQ answerCall) and disengages it when it ends (DRQ)', async () => {
    pair = await startRasPair();
    await pair.reach('registered');
    const c = call();
    await expect(pair.ep.admitIncoming(c)).resolves.toBe('admitted');
    const [arq] = pair.gk.messages('admissionRequest');
    expect(arq).toMatchObject({
      callType: { tag: 'pointToPoint', value: null },
      endpointIdentifier: '1_endp',
      destinationInfo: [{ tag: 'dialedDigits', value: '1001' }],
      srcInfo: [{ tag: 'h323-ID', value: 'caller' }],
      srcCallSignalAddress: { tag: 'ipAddress', value: { ip: Buffer.from([127, 0, 0, 1]), port: 32000 } },
      destCallSignalAddress: { tag: 'ipAddress', value: { ip: Buffer.from([127, 0, 0, 1]), port: 1720 } },
      bandWidth: 1280,
      callReferenceValue: 21027,
      conferenceID: c.conferenceID,
      callIdentifier: { guid: c.callIdentifier },
      answerCall: true,
      activeMC: true,
      gatekeeperIdentifier: 'TestGK',
    });
    await pair.ep.disengage(c.callIdentifier);
    const [drq] = pair.gk.messages('disengageRequest');
    expect(drq).toMatchObject({
      endpointIdentifier: '1_endp',
      conferenceID: c.conferenceID,
      callReferenceValue: 21027,
      disengageReason: { tag: 'normalDrop', value: null },
      callIdentifier: { guid: c.callIdentifier },
      answeredCall: true,
    });
    await pair.ep.disengage(c.callIdentifier);
    expect(pair.gk.messages('disengageRequest')).toHaveLength(1);
  });

  it('asks for another bandwidth for an admitted call (BRQ/BCF)', async () => {
    pair = await startRasPair();
    await pair.reach('registered');
    const c = call();
    await expect(pair.ep.requestBandwidth(c.callIdentifier, 640)).resolves.toBeUndefined();
    await pair.ep.admitIncoming(c);
    await expect(pair.ep.requestBandwidth(c.callIdentifier, 640)).resolves.toBe(640);
    expect(pair.gk.messages('bandwidthRequest')).toEqual([
      expect.objectContaining({ endpointIdentifier: '1_endp', bandWidth: 640, callIdentifier: { guid: c.callIdentifier }, callReferenceValue: 21027 }),
    ]);
  });

  it('reports the ARJ reason', async () => {
    pair = await startRasPair({ admissionReject: 'requestDenied' });
    await pair.reach('registered');
    await expect(pair.ep.admitIncoming(call())).resolves.toEqual({ rejected: 'requestDenied' });
  });

  it('reports a timeout when the gatekeeper does not answer the ARQ and its retransmissions', async () => {
    pair = await startRasPair();
    await pair.reach('registered');
    pair.gk.silent = true;
    const outcome = pair.ep.admitIncoming(call());
    for (let sent = 1; sent <= 3; sent++) {
      await until(() => pair!.gk.messages('admissionRequest').length === sent);
      pair.clock.advance(3000);
    }
    await expect(outcome).resolves.toEqual({ rejected: 'timeout' });
    const arqs = pair.gk.messages('admissionRequest');
    expect(new Set(arqs.map((a) => a.requestSeqNum)).size).toBe(1);
  });

  it('admits without ARQ while not registered (no gatekeeper in control)', async () => {
    pair = await startRasPair();
    pair.gk.silent = true;
    await expect(pair.ep.admitIncoming(call())).resolves.toBe('admitted');
    expect(pair.gk.messages('admissionRequest')).toHaveLength(0);
  });
});
