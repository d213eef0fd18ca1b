import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { H225, type H225Types } from '../asn1/generated';
import { encode } from '../per/codec';
import { h323IdAlias } from './ras-alias';
import { startRasPair, until, type RasPair } from './ras-test-harness';
import { toTransportAddress } from './transport-address';

/** Requests the gatekeeper sends the endpoint (H.225.0 §7; H.323 §7.2.2.2, §8.3.2, §8.5, §8.6). */
describe('RasEndpoint answering the gatekeeper', () => {
  let pair: RasPair | undefined;
  const callIdentifier = randomBytes(16);
  const conferenceID = randomBytes(16);
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  async function registeredWithCall(): Promise<RasPair> {
    const p = await startRasPair();
    await p.reach('registered');
    const outcome = await p.ep.admitIncoming({
      callIdentifier, conferenceID, callReferenceValue: 7, srcInfo: [h323IdAlias('caller')], destinationInfo: [], bandwidth: 1280,
    });
    expect(outcome).toBe('admitted');
    return p;
  }

  function to(p: RasPair): { address: string; port: number } {
    return p.ep.localAddress!;
  }

  it('answers URQ with UCF and registers again', async () => {
    pair = await startRasPair();
    await pair.reach('registered');
    pair.gk.restart();
    const answer = await pair.gk.request({
      tag: 'unregistrationRequest',
      value: {
        requestSeqNum: pair.gk.nextSeq(),
        callSignalAddress: [toTransportAddress({ address: '127.0.0.1', port: 1720 })],
        endpointIdentifier: '1_endp',
        reason: { tag: 'reregistrationRequired', value: null },
      },
    }, to(pair));
    expect(answer.tag).toBe('unregistrationConfirm');
    await until(() => pair!.gk.messages('registrationRequest').length === 2 && pair!.ep.state === 'registered');
    expect(pair.ep.endpointIdentifier).toBe('2_endp');
  });

  it('answers a URQ for another endpointIdentifier with URJ notCurrentlyRegistered', async () => {
    pair = await startRasPair();
    await pair.reach('registered');
    const answer = await pair.gk.request({
      tag: 'unregistrationRequest',
      value: { requestSeqNum: pair.gk.nextSeq(), callSignalAddress: [], endpointIdentifier: 'someone_else' },
    }, to(pair));
    expect(answer).toMatchObject({ tag: 'unregistrationReject', value: { rejectReason: { tag: 'notCurrentlyRegistered' } } });
    expect(pair.ep.state).toBe('registered');
  });

  it('answers IRQ with an IRR describing the registration and the admitted calls', async () => {
    pair = await registeredWithCall();
    const all = await pair.gk.request({ tag: 'infoRequest', value: { requestSeqNum: pair.gk.nextSeq(), callReferenceValue: 0 } }, to(pair));
    if (all.tag !== 'infoRequestResponse') throw new Error(`got ${all.tag}`);
    expect(all.value).toMatchObject({ endpointIdentifier: '1_endp', irrStatus: { tag: 'complete' }, unsolicited: false });
    expect(all.value.endpointAlias).toHaveLength(2);
    expect(all.value.perCallInfo).toHaveLength(1);
    expect(all.value.perCallInfo?.[0]).toMatchObject({ callReferenceValue: 7, conferenceID, callIdentifier: { guid: callIdentifier }, bandWidth: 1280 });
    const unknown = await pair.gk.request({
      tag: 'infoRequest',
      value: { requestSeqNum: pair.gk.nextSeq(), callReferenceValue: 99, callIdentifier: { guid: randomBytes(16) } },
    }, to(pair));
    expect(unknown).toMatchObject({ tag: 'infoRequestResponse', value: { irrStatus: { tag: 'invalidCall' } } });
  });

  it('answers BRQ with BCF for a known call and BRJ for an unknown one', async () => {
    pair = await registeredWithCall();
    const brq = (guid: Buffer): H225Types.RasMessage => ({
      tag: 'bandwidthRequest',
      value: { requestSeqNum: pair!.gk.nextSeq(), endpointIdentifier: '1_endp', conferenceID, callReferenceValue: 7, bandWidth: 640, callIdentifier: { guid } },
    });
    await expect(pair.gk.request(brq(callIdentifier), to(pair))).resolves.toMatchObject({ tag: 'bandwidthConfirm', value: { bandWidth: 640 } });
    await expect(pair.gk.request(brq(randomBytes(16)), to(pair))).resolves.toMatchObject({ tag: 'bandwidthReject' });
  });

  it('answers DRQ with DCF and reports the call to end', async () => {
    const ended: Buffer[] = [];
    pair = await startRasPair({}, { onDisengageRequest: (id) => ended.push(id) });
    await pair.reach('registered');
    await pair.ep.admitIncoming({ callIdentifier, conferenceID, callReferenceValue: 7, srcInfo: [], destinationInfo: [], bandwidth: 1 });
    const answer = await pair.gk.request({
      tag: 'disengageRequest',
      value: {
        requestSeqNum: pair.gk.nextSeq(), endpointIdentifier: '1_endp', conferenceID, callReferenceValue: 7,
        disengageReason: { tag: 'forcedDrop', value: null }, callIdentifier: { guid: callIdentifier },
      },
    }, to(pair));
    expect(answer.tag).toBe('disengageConfirm');
    expect(ended).toEqual([callIdentifier]);
    await pair.ep.disengage(callIdentifier);
    expect(pair.gk.messages('disengageRequest')).toHaveLength(0);
  });

  it('answers a message an endpoint does not handle (LRQ) with XRS carrying the message', async () => {
    pair = await startRasPair();
    await pair.reach('registered');
    const lrq: H225Types.RasMessage = {
      tag: 'locationRequest',
      value: { requestSeqNum: pair.gk.nextSeq(), destinationInfo: [h323IdAlias('x')], replyAddress: toTransportAddress(pair.gk.address) },
    };
    const answer = await pair.gk.request(lrq, to(pair));
    expect(answer).toMatchObject({ tag: 'unknownMessageResponse', value: { messageNotUnderstood: encode(H225.RasMessage, lrq) } });
  });

  it('drops requests that do not come from the gatekeeper', async () => {
    pair = await startRasPair();
    await pair.reach('registered');
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.2', resolve));
    const answers: Buffer[] = [];
    socket.on('message', (m) => answers.push(m));
    try {
      const urq = encode(H225.RasMessage, { tag: 'unregistrationRequest', value: { requestSeqNum: 5, callSignalAddress: [], endpointIdentifier: '1_endp' } });
      socket.send(urq, to(pair).port, '127.0.0.1');
      await until(() => pair!.ep.stats!.received >= 3);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(answers).toHaveLength(0);
      expect(pair.ep.state).toBe('registered');
    } finally {
      socket.close();
    }
  });
});
