import { getCSeq, parseNameAddr, parseSessionExpires } from '../message';
import { SdpNegotiationError } from '../sdp/sdp-error';
import { peerRequest, peerSdp } from './fixtures/messages';
import { createSession, cseqOf, FakeServerTransaction, flush, LOCAL_SDP } from './fixtures/session-harness';
import { SessionState } from './session-state';

beforeEach(() => jest.useFakeTimers());
afterEach(() => {
  jest.clearAllTimers();
  jest.useRealTimers();
});

describe('SessionDialog: answering the INVITE', () => {
  it('sends 180 with tag and Contact, then 200 with the answer, and confirms on ACK', () => {
    const { session, tx, ended, events, ack } = createSession();
    session.provisional(180);
    expect(tx.last.status).toBe(180);
    expect(parseNameAddr(tx.last.header('to')!).params.get('tag')).toBe('mcu-tag');
    expect(tx.last.header('contact')).toBe('<sip:mcu@192.0.2.1:5060>');
    session.accept(LOCAL_SDP);
    expect(tx.last.status).toBe(200);
    expect(tx.last.body.toString()).toBe(LOCAL_SDP);
    expect(tx.last.header('content-type')).toBe('application/sdp');
    expect(tx.last.header('allow')).toContain('UPDATE');
    expect(session.state).toBe(SessionState.Accepted);
    ack(1);
    expect(session.state).toBe(SessionState.Confirmed);
    expect(events).toContainEqual(['ack', undefined]);
    expect(ended).toEqual([]);
  });

  it('sends 100 Trying without a tag', () => {
    const { session, tx } = createSession();
    session.provisional(100);
    expect(tx.last.status).toBe(100);
    expect(parseNameAddr(tx.last.header('to')!).params.has('tag')).toBe(false);
    expect(tx.last.header('contact')).toBeUndefined();
  });

  it('retransmits the 2xx at T1, 2T1, … capped at T2 until the ACK (§13.3.1.4)', () => {
    const { session, channel, ack } = createSession();
    session.accept(LOCAL_SDP);
    const times: number[] = [];
    for (let t = 0; t <= 16_000; t += 100) {
      const before = channel.retransmitted.length;
      jest.advanceTimersByTime(100);
      if (channel.retransmitted.length > before) times.push(t + 100);
    }
    expect(times).toEqual([500, 1500, 3500, 7500, 11500, 15500]);
    ack(1);
    jest.advanceTimersByTime(20_000);
    expect(channel.retransmitted).toHaveLength(6);
  });

  it('does not retransmit when the transaction layer does (no retransmitResponse)', () => {
    const { session, channel } = createSession();
    Object.defineProperty(channel, 'retransmitResponse', { value: undefined });
    session.accept(LOCAL_SDP);
    jest.advanceTimersByTime(10_000);
    expect(channel.retransmitted).toHaveLength(0);
  });

  it('sends BYE when no ACK came within 64*T1 and ends once with ack-timeout', () => {
    const { session, channel, ended } = createSession();
    session.accept(LOCAL_SDP);
    jest.advanceTimersByTime(31_999);
    expect(channel.methods()).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(channel.methods()).toEqual(['BYE']);
    expect(ended).toEqual(['ack-timeout']);
    expect(session.state).toBe(SessionState.Terminated);
  });

  it('takes the answer from the ACK when the INVITE had no offer', () => {
    const { session, tx, events, ack } = createSession({});
    expect(session.initialOffer).toBeUndefined();
    session.accept(LOCAL_SDP);
    expect(tx.last.body.toString()).toBe(LOCAL_SDP);
    ack(1, peerSdp());
    expect(events).toContainEqual(['ack', peerSdp()]);
    expect(session.descriptions.remote).toBe(peerSdp());
  });

  it('ends the session with BYE when the ACK lacks the answer to our offer', () => {
    const { session, channel, ended, ack } = createSession({});
    session.accept(LOCAL_SDP);
    ack(1);
    expect(channel.methods()).toEqual(['BYE']);
    expect(ended).toEqual(['missing-answer']);
  });

  it('ignores an ACK with another CSeq', () => {
    const { session, ack } = createSession();
    session.accept(LOCAL_SDP);
    ack(7);
    expect(session.state).toBe(SessionState.Accepted);
  });

  it('rejects with a final response and ends once with rejected', () => {
    const { session, tx, ended } = createSession();
    session.reject(486, undefined, [['Retry-After', '30']]);
    expect(tx.last.status).toBe(486);
    expect(tx.last.header('retry-after')).toBe('30');
    expect(() => session.reject(404)).toThrow(/cannot reject in state terminated/);
    expect(ended).toEqual(['rejected']);
  });

  it('answers CANCEL with 487 while pending, and reports it (§9.2)', () => {
    const { session, tx, ended } = createSession();
    session.provisional(180);
    expect(session.cancel()).toBe(true);
    expect(tx.last.status).toBe(487);
    expect(ended).toEqual(['cancelled']);
    expect(session.cancel()).toBe(false);
  });

  it('does nothing on CANCEL after the 2xx', () => {
    const { session, ended } = createSession();
    session.accept(LOCAL_SDP);
    expect(session.cancel()).toBe(false);
    expect(ended).toEqual([]);
  });

  it('refuses a Session-Expires below Min-SE with 422 and Min-SE (RFC 4028 §9)', () => {
    const { session, tx, ended } = createSession({ body: peerSdp(), headers: ['Session-Expires: 60', 'Supported: timer'] });
    expect(session.refuseUnacceptableTimer()).toBe(true);
    expect(tx.last.status).toBe(422);
    expect(tx.last.header('min-se')).toBe('90');
    expect(ended).toEqual(['rejected']);
  });

  it('refuses a malformed Session-Expires with 400', () => {
    const { session, tx } = createSession({ body: peerSdp(), headers: ['Session-Expires: soon'] });
    expect(session.refuseUnacceptableTimer()).toBe(true);
    expect(tx.last.status).toBe(400);
  });
});

describe('SessionDialog: requests inside the dialog', () => {
  function confirmed(invite: Parameters<typeof createSession>[0] = { body: peerSdp() }) {
    const h = createSession(invite);
    h.session.accept(LOCAL_SDP);
    h.ack(1);
    return h;
  }

  it('answers BYE with 200 and ends with remote-bye; later requests get 481', () => {
    const { session, receive, ended } = confirmed();
    expect(receive({ method: 'BYE', cseq: 2 }).last.status).toBe(200);
    expect(session.state).toBe(SessionState.Terminated);
    expect(ended).toEqual(['remote-bye']);
    expect(receive({ method: 'INFO', cseq: 3 }).last.status).toBe(481);
  });

  it('answers a BYE on the early dialog and the INVITE with 487', () => {
    const { session, tx, receive, ended } = createSession();
    session.provisional(180);
    expect(receive({ method: 'BYE', cseq: 2 }).last.status).toBe(200);
    expect(tx.last.status).toBe(487);
    expect(ended).toEqual(['remote-bye']);
  });

  it('answers a request with a CSeq not above the last one with 500 (§12.2.2)', () => {
    const { receive } = confirmed();
    expect(receive({ method: 'INFO', cseq: 5 }).last.status).toBe(200);
    expect(receive({ method: 'INFO', cseq: 4 }).last.status).toBe(500);
  });

  it('answers a re-INVITE (hold) with the delegate\'s answer, refreshes the target and waits for its ACK', () => {
    const { session, receive, events, channel, ack } = confirmed();
    const t = receive({ method: 'INVITE', cseq: 2, body: peerSdp('sendonly', 2), contact: '<sip:alice@198.51.100.9:5062>' });
    expect(t.last.status).toBe(200);
    expect(t.last.body.toString()).toBe(LOCAL_SDP);
    expect(events).toContainEqual(['remote', peerSdp('sendonly', 2), LOCAL_SDP]);
    expect(session.dialog.remoteTarget.host).toBe('198.51.100.9');
    jest.advanceTimersByTime(600);
    expect(channel.retransmitted).toHaveLength(1);
    ack(2);
    jest.advanceTimersByTime(40_000);
    expect(channel.retransmitted).toHaveLength(1);
    expect(session.state).toBe(SessionState.Confirmed);
  });

  it('answers a re-INVITE with an unreadable Contact with 400 and keeps the target', () => {
    const { session } = confirmed();
    const req = peerRequest({ method: 'INVITE', cseq: 2, toTag: 'mcu-tag', body: peerSdp() });
    req.headers.set('Contact', '<sip:alice@192.0.2.10');
    const t = new FakeServerTransaction(req);
    session.receiveRequest(t);
    expect(t.last.status).toBe(400);
    expect(session.dialog.remoteTarget.host).toBe('192.0.2.10');
    expect(session.state).toBe(SessionState.Confirmed);
  });

  it('answers 488 when the re-INVITE offer is not acceptable and keeps the session', () => {
    const { session, receive, delegate } = confirmed();
    delegate.answerWith = () => {
      throw new SdpNegotiationError('No common audio codec');
    };
    const t = receive({ method: 'INVITE', cseq: 2, body: peerSdp() });
    expect(t.last.status).toBe(488);
    expect(t.last.reason).toBe('No common audio codec');
    expect(session.state).toBe(SessionState.Confirmed);
    delete delegate.answerWith;
    expect(receive({ method: 'INVITE', cseq: 3, body: peerSdp() }).last.status).toBe(200);
  });

  it('offers in the 200 to a re-INVITE without SDP and takes the answer from the ACK', () => {
    const { receive, events, ack } = confirmed();
    const t = receive({ method: 'INVITE', cseq: 2 });
    expect(t.last.body.toString()).toBe(LOCAL_SDP);
    ack(2, peerSdp('sendrecv', 3));
    expect(events).toContainEqual(['remote', peerSdp('sendrecv', 3), LOCAL_SDP]);
  });

  it('answers a second re-INVITE before the ACK of the first with 500 and Retry-After (§14.2)', () => {
    const { receive } = confirmed();
    receive({ method: 'INVITE', cseq: 2, body: peerSdp() });
    const t = receive({ method: 'INVITE', cseq: 3, body: peerSdp() });
    expect(t.last.status).toBe(500);
    expect(Number(t.last.header('retry-after'))).toBeLessThanOrEqual(10);
  });

  it('answers a re-INVITE while the 2xx with our offer awaits its ACK with 491', () => {
    const { session, receive } = createSession({});
    session.accept(LOCAL_SDP);
    expect(receive({ method: 'INVITE', cseq: 2, body: peerSdp() }).last.status).toBe(491);
  });

  it('answers a re-INVITE in the early dialog with 500 and Retry-After', () => {
    const { session, receive } = createSession();
    session.provisional(180);
    expect(receive({ method: 'INVITE', cseq: 2, body: peerSdp() }).last.status).toBe(500);
  });

  it('answers UPDATE with an offer (RFC 3311) and UPDATE without one', () => {
    const { receive, events } = confirmed();
    const withOffer = receive({ method: 'UPDATE', cseq: 2, body: peerSdp('inactive', 2) });
    expect(withOffer.last.status).toBe(200);
    expect(withOffer.last.body.toString()).toBe(LOCAL_SDP);
    expect(events).toContainEqual(['remote', peerSdp('inactive', 2), LOCAL_SDP]);
    const bare = receive({ method: 'UPDATE', cseq: 3 });
    expect(bare.last.status).toBe(200);
    expect(bare.last.body.length).toBe(0);
    expect(bare.last.header('contact')).toBe('<sip:mcu@192.0.2.1:5060>');
  });

  it('answers an UPDATE with an offer in the early dialog with 500 (the INVITE offer is unanswered)', () => {
    const { session, receive } = createSession();
    session.provisional(180);
    expect(receive({ method: 'UPDATE', cseq: 2, body: peerSdp() }).last.status).toBe(500);
    expect(receive({ method: 'UPDATE', cseq: 3 }).last.status).toBe(200);
  });

  it('answers INFO with DTMF or media control with 200, other bodies with 415 and Accept', () => {
    const { receive, events } = confirmed();
    expect(receive({ method: 'INFO', cseq: 2, body: 'Signal=5\r\nDuration=160\r\n', contentType: 'application/dtmf-relay' }).last.status).toBe(200);
    expect(events).toContainEqual(['info', 'Signal=5\r\nDuration=160\r\n']);
    const mc = '<?xml version="1.0"?><media_control><vc_primitive><to_encoder><picture_fast_update/></to_encoder></vc_primitive></media_control>';
    expect(receive({ method: 'INFO', cseq: 3, body: mc, contentType: 'application/media_control+xml' }).last.status).toBe(200);
    const other = receive({ method: 'INFO', cseq: 4, body: 'x', contentType: 'application/x-foo' });
    expect(other.last.status).toBe(415);
    expect(other.last.header('accept')).toContain('application/dtmf-relay');
    expect(receive({ method: 'INFO', cseq: 5 }).last.status).toBe(200);
  });

  it('answers a malformed media_control INFO with 400 naming the problem, and does not report it', () => {
    const { receive, events } = confirmed();
    const before = events.length;
    const unclosed = receive({ method: 'INFO', cseq: 2, body: '<media_control><vc_primitive><to_encoder><picture_fast_update/></to_encoder></media_control>', contentType: 'application/media_control+xml' });
    expect(unclosed.last.status).toBe(400);
    expect(unclosed.last.reason).toMatch(/^Malformed media_control: .*vc_primitive/);
    expect(receive({ method: 'INFO', cseq: 3, body: '<other/>', contentType: 'application/media_control+xml' }).last.reason).toContain('not <media_control>');
    expect(events.length).toBe(before);
  });

  it('answers MESSAGE with 200 and reports it', () => {
    const { receive, events } = confirmed();
    expect(receive({ method: 'MESSAGE', cseq: 2, body: 'hello', contentType: 'text/plain' }).last.status).toBe(200);
    expect(events).toContainEqual(['message', 'hello']);
  });

  it('answers other methods with 405', () => {
    const { receive } = confirmed();
    const t = receive({ method: 'REFER', cseq: 2 });
    expect(t.last.status).toBe(405);
    expect(t.last.header('allow')).toBeDefined();
  });

  it('sends MESSAGE in the dialog and ends the session on 481', async () => {
    const { session, channel, ended } = confirmed();
    const done = session.sendRequest('MESSAGE', { body: 'hi', contentType: 'text/plain' });
    const req = channel.sent[0].request;
    expect(req.method).toBe('MESSAGE');
    expect(req.uri).toBe('sip:alice@192.0.2.10:5060');
    expect(req.header('cseq')).toBe('100 MESSAGE');
    expect(req.body.toString()).toBe('hi');
    channel.answer(481);
    expect((await done).status).toBe(481);
    expect(ended).toEqual(['request-failed']);
  });
});

describe('SessionDialog: hanging up', () => {
  it('answers 480 when hanging up before the final response', () => {
    const { session, tx, ended } = createSession();
    session.hangup();
    expect(tx.last.status).toBe(480);
    expect(ended).toEqual(['local-bye']);
  });

  it('defers the BYE until the ACK after the 2xx (§15)', () => {
    const { session, channel, ended, ack } = createSession();
    session.accept(LOCAL_SDP);
    session.hangup();
    expect(channel.methods()).toEqual([]);
    ack(1);
    expect(channel.methods()).toEqual(['BYE']);
    expect(ended).toEqual(['local-bye']);
  });

  it('sends BYE at once when confirmed, or when immediate', () => {
    const a = createSession();
    a.session.accept(LOCAL_SDP);
    a.session.hangup({ immediate: true, reason: 'shutdown' });
    expect(a.channel.methods()).toEqual(['BYE']);
    expect(a.ended).toEqual(['shutdown']);
    const b = createSession();
    b.session.accept(LOCAL_SDP);
    b.ack(1);
    b.session.hangup();
    b.session.hangup();
    expect(b.channel.methods()).toEqual(['BYE']);
    const bye = b.channel.sent[0].request;
    expect(parseNameAddr(bye.header('to')!).params.get('tag')).toBe('alice-tag');
    expect(b.ended).toEqual(['local-bye']);
  });
});

describe('SessionDialog: session timers (RFC 4028)', () => {
  it('lets a UAC that supports timers refresh, and ends the session when it does not', () => {
    const { session, tx, channel, ended, ack, receive } = createSession({
      body: peerSdp(),
      headers: ['Session-Expires: 120;refresher=uac', 'Supported: timer'],
    });
    session.accept(LOCAL_SDP);
    expect(parseSessionExpires(tx.last.header('session-expires')!)).toEqual({ deltaSeconds: 120, refresher: 'uac' });
    expect(tx.last.header('require')).toBe('timer');
    ack(1);
    // A refresh re-INVITE at 60 s restarts the interval.
    jest.advanceTimersByTime(60_000);
    const refresh = receive({ method: 'INVITE', cseq: 2, body: peerSdp(), headers: ['Session-Expires: 120;refresher=uac', 'Supported: timer'] });
    expect(refresh.last.status).toBe(200);
    expect(refresh.last.header('session-expires')).toBe('120;refresher=uac');
    ack(2);
    // 120 - min(32, 40) = 88 s after the refresh, without another one: BYE.
    jest.advanceTimersByTime(87_999);
    expect(channel.methods()).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(channel.methods()).toEqual(['BYE']);
    expect(ended).toEqual(['session-expired']);
  });

  it('lowers a longer interval to the local one', () => {
    const { session, tx } = createSession({ body: peerSdp(), headers: ['Session-Expires: 7200', 'Supported: timer'] });
    session.accept(LOCAL_SDP);
    expect(tx.last.header('session-expires')).toBe('1800;refresher=uac');
  });

  it('refreshes itself with UPDATE at half the interval when the UAC does not support timers', async () => {
    const { session, tx, channel, ack } = createSession({ body: peerSdp(), headers: ['Allow: INVITE, ACK, BYE, CANCEL, UPDATE'] });
    session.accept(LOCAL_SDP);
    expect(tx.last.header('session-expires')).toBe('1800;refresher=uas');
    expect(tx.last.header('require')).toBeUndefined();
    ack(1);
    jest.advanceTimersByTime(899_999);
    expect(channel.methods()).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(channel.methods()).toEqual(['UPDATE']);
    const update = channel.sent[0].request;
    expect(update.header('session-expires')).toBe('1800;refresher=uac');
    expect(update.body.length).toBe(0);
    channel.answer(200, { headers: [['Session-Expires', '1800;refresher=uac']] });
    await flush();
    expect(session.sessionTimerTerms).toEqual({ interval: 1800, refresher: 'local' });
    jest.advanceTimersByTime(900_000);
    expect(channel.methods()).toEqual(['UPDATE', 'UPDATE']);
  });

  it('refreshes with a re-INVITE carrying the current SDP, ACKs its 2xx, and raises the interval after 422', async () => {
    const { session, channel, ack } = createSession({ body: peerSdp() });
    session.accept(LOCAL_SDP);
    ack(1);
    jest.advanceTimersByTime(900_000);
    expect(channel.methods()).toEqual(['INVITE']);
    expect(channel.sent[0].request.body.toString()).toBe(LOCAL_SDP);
    channel.answer(422, { headers: [['Min-SE', '3600']] });
    await flush();
    expect(channel.methods()).toEqual(['INVITE', 'INVITE']);
    expect(channel.sent[1].request.header('session-expires')).toBe('3600;refresher=uac');
    channel.answer(200, { body: peerSdp('sendrecv', 2) });
    await flush();
    expect(channel.acks).toHaveLength(1);
    expect(getCSeq(channel.acks[0]).seq).toBe(cseqOf(channel.sent[1].request));
    expect(getCSeq(channel.acks[0]).method).toBe('ACK');
    expect(session.sessionTimerTerms).toEqual({ interval: 3600, refresher: 'local' });
    expect(session.descriptions.remote).toBe(peerSdp('sendrecv', 2));
  });

  it('answers a peer re-INVITE with 491 while its own refresh re-INVITE is pending (glare)', () => {
    const { session, channel, ack, receive } = createSession({ body: peerSdp() });
    session.accept(LOCAL_SDP);
    ack(1);
    jest.advanceTimersByTime(900_000);
    expect(channel.methods()).toEqual(['INVITE']);
    expect(receive({ method: 'INVITE', cseq: 2, body: peerSdp() }).last.status).toBe(491);
  });

  it('ends the session when its refresh times out', async () => {
    const { session, channel, ack, ended } = createSession({ body: peerSdp() });
    session.accept(LOCAL_SDP);
    ack(1);
    jest.advanceTimersByTime(900_000);
    channel.answer(408);
    await flush();
    expect(channel.methods()).toEqual(['INVITE', 'BYE']);
    expect(ended).toEqual(['request-failed']);
  });

  it('ends the session before expiry when its refresh gets no usable answer', async () => {
    const { session, channel, ack, ended } = createSession({ body: peerSdp() });
    session.accept(LOCAL_SDP);
    ack(1);
    jest.advanceTimersByTime(900_000);
    channel.answer(503);
    await flush();
    // 900 s after the refresh was due, minus min(32 s, 600 s): the session expires.
    jest.advanceTimersByTime(900_000 - 32_000 - 1);
    expect(ended).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(ended).toEqual(['session-expired']);
    expect(channel.methods()).toEqual(['INVITE', 'BYE']);
  });

  it('runs no session timer when disabled', () => {
    const { session, tx, channel, ack } = createSession({ body: peerSdp(), headers: ['Session-Expires: 60'] }, { sessionTimer: false });
    expect(session.refuseUnacceptableTimer()).toBe(false);
    session.accept(LOCAL_SDP);
    expect(tx.last.header('session-expires')).toBeUndefined();
    ack(1);
    jest.advanceTimersByTime(10_000_000);
    expect(channel.methods()).toEqual([]);
  });
});
