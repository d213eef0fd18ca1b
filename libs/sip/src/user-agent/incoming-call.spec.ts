import { parse } from 'sdp-transform';
import { systemClock } from '../transaction/timers';
import { silentLogger, type Logger } from '../transport/logger';
import { createSession, LOCAL_SDP } from '../dialog/fixtures/session-harness';
import { peerSdp } from '../dialog/fixtures/messages';
import { createAnswer } from '../sdp/offer-answer';
import { IncomingCall } from './incoming-call';

beforeEach(() => jest.useFakeTimers());
afterEach(() => {
  jest.clearAllTimers();
  jest.useRealTimers();
});

function incomingCall(logger: Logger = silentLogger, invite = { body: peerSdp() }) {
  const h = createSession(invite);
  const call = new IncomingCall({ session: h.session, source: { transport: 'UDP', address: '192.0.2.10', port: 5060 }, clock: systemClock, logger, ringRepeatMs: 60_000 });
  return { ...h, call };
}

describe('IncomingCall', () => {
  it('exposes the INVITE: parties, Contact, offer, display name', () => {
    const { call } = incomingCall();
    expect(call.displayName).toBe('Alice');
    expect(call.requestUri.user).toBe('1000');
    expect(call.remoteContact).toBe('sip:alice@192.0.2.10:5060');
    expect(call.from.params.get('tag')).toBe('alice-tag');
    expect(call.offer).toBe(peerSdp());
    expect(call.callId).toBe('call-1@192.0.2.10');
  });

  it('repeats 180 every minute while ringing (§13.3.1.1) and stops once answered', () => {
    const { call, tx } = incomingCall();
    call.ringing();
    jest.advanceTimersByTime(120_000);
    expect(tx.responses.map((r) => r.status)).toEqual([180, 180, 180]);
    call.accept(LOCAL_SDP);
    jest.advanceTimersByTime(120_000);
    expect(tx.responses.map((r) => r.status)).toEqual([180, 180, 180, 200]);
  });

  it('emits cancelled then terminated exactly once, and keeps going when a listener throws', () => {
    const errors: string[] = [];
    const logger: Logger = { ...silentLogger, error: (_o, msg) => errors.push(msg) };
    const { call, session, tx } = incomingCall(logger);
    const events: string[] = [];
    call.on('cancelled', () => {
      events.push('cancelled');
      throw new Error('listener bug');
    });
    call.on('terminated', (r) => events.push(`terminated:${r}`));
    call.ringing();
    session.cancel();
    session.cancel();
    expect(tx.last.status).toBe(487);
    expect(events).toEqual(['cancelled', 'terminated:cancelled']);
    expect(errors).toEqual(['error in SIP event listener']);
    jest.advanceTimersByTime(120_000);
    expect(tx.responses.filter((r) => r.status === 180)).toHaveLength(1);
  });

  it('answers a re-INVITE with the ports of the current local description by default, bumping the o= version', () => {
    const { call, ack, receive } = incomingCall();
    const first = call.sdpOrigin.stamp((origin) => createAnswer(peerSdp(), { address: '192.0.2.1', ports: { audio: 20000 }, origin }));
    call.accept(first);
    ack(1);
    const remote: string[] = [];
    call.on('reinvite', (r) => remote.push(r));
    const t = receive({ method: 'INVITE', cseq: 2, body: peerSdp('sendonly', 2) });
    const answer = parse(t.last.body.toString());
    expect(answer.media[0]).toMatchObject({ port: 20000, direction: 'recvonly' });
    expect(answer.origin.sessionVersion).toBe(parse(first).origin.sessionVersion + 1);
    expect(remote).toEqual([peerSdp('sendonly', 2)]);
  });

  it('uses a description handler set by the application', () => {
    const { call, ack, receive } = incomingCall();
    call.accept(LOCAL_SDP);
    ack(1);
    call.setDescriptionHandler({ answerOffer: () => 'v=0\r\n', createOffer: () => LOCAL_SDP });
    expect(receive({ method: 'UPDATE', cseq: 2, body: peerSdp() }).last.body.toString()).toBe('v=0\r\n');
  });

  it('refuses sending MESSAGE before the call is answered', () => {
    const { call } = incomingCall();
    expect(() => call.sendMessage('text/plain', 'early')).toThrow(/cannot send MESSAGE in state early/);
  });
});
