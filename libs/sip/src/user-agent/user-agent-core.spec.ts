import { getCSeq, getTag, getTo, parseNameAddr, type SipRequest } from '../message';
import { createAnswer, createOffer } from '../sdp/offer-answer';
import { parse } from 'sdp-transform';
import { TcpPeer, UdpPeer, peerOffer, sipRequest, type SipRequestText } from './fixtures/raw-peer';
import type { IncomingCall } from './incoming-call';
import { UserAgentCore } from './user-agent-core';
import type { IncomingMessage } from './user-agent-delegate';

const LOCAL = { address: '127.0.0.1', ports: { audio: 30000 } };

describe('UserAgentCore against raw peers on 127.0.0.1', () => {
  let ua: UserAgentCore;
  let peer: UdpPeer;
  let onInvite: (call: IncomingCall) => void;
  let messages: IncomingMessage[];
  const calls: IncomingCall[] = [];

  beforeEach(async () => {
    messages = [];
    calls.length = 0;
    onInvite = (call) => call.accept(call.sdpOrigin.stamp((origin) => createAnswer(call.offer!, { ...LOCAL, origin })));
    ua = new UserAgentCore({
      host: '127.0.0.1',
      port: 0,
      timers: { t1: 100 },
      shutdownGraceMs: 100,
      delegate: {
        onInvite: (call) => {
          calls.push(call);
          onInvite(call);
        },
        onMessage: (m) => messages.push(m),
      },
    });
    await ua.start();
    peer = await UdpPeer.open(ua.port);
  });

  afterEach(async () => {
    await peer.close();
    await ua.stop();
  });

  const send = (o: SipRequestText, p: UdpPeer | TcpPeer = peer): void => p.sendText(sipRequest(p, ua.port, o));

  /** INVITE → 200 → ACK; returns the 200 and the call. */
  async function establish(o: Partial<SipRequestText> = {}, p: UdpPeer | TcpPeer = peer) {
    const callId = o.callId ?? `c-${Math.random().toString(36).slice(2)}`;
    send({ method: 'INVITE', callId, body: peerOffer(), ...o }, p);
    const ok = await p.response(200, 'INVITE');
    const toTag = getTag(getTo(ok))!;
    send({ method: 'ACK', callId, toTag, cseq: 1 }, p);
    return { ok, toTag, callId, call: calls[calls.length - 1] };
  }

  it('answers OPTIONS with Allow, Accept and Supported', async () => {
    send({ method: 'OPTIONS' });
    const res = await peer.response(200, 'OPTIONS');
    expect(res.header('allow')).toBe('INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, UPDATE');
    expect(res.header('accept')).toContain('application/sdp');
    expect(res.header('supported')).toBe('timer');
    expect(getTag(getTo(res))).toBeDefined();
  });

  it('answers Max-Forwards 0 with 483, unknown Require with 420, unknown methods with 405, REGISTER without registrar with 405', async () => {
    send({ method: 'INVITE', maxForwards: 0, body: peerOffer() });
    await peer.response(483, 'INVITE');
    send({ method: 'INVITE', headers: ['Require: 100rel, foo'], body: peerOffer() });
    expect((await peer.response(420, 'INVITE')).header('unsupported')).toBe('100rel, foo');
    send({ method: 'SUBSCRIBE' });
    expect((await peer.response(405, 'SUBSCRIBE')).header('allow')).toContain('MESSAGE');
    send({ method: 'REGISTER', uri: `sip:127.0.0.1:${ua.port}` });
    await peer.response(405, 'REGISTER');
    expect(calls).toHaveLength(0);
    expect(ua.stats().userAgent.rejected).toMatchObject({ 483: 1, 420: 1, 405: 2 });
  });

  it('answers BYE, INFO and in-dialog requests of unknown dialogs with 481', async () => {
    send({ method: 'BYE' });
    await peer.response(481, 'BYE');
    send({ method: 'INFO', toTag: 'nope' });
    await peer.response(481, 'INFO');
  });

  it('refuses an INVITE without Contact (400) and with a non-SDP body (415)', async () => {
    send({ method: 'INVITE', contact: null, body: peerOffer() });
    expect((await peer.response(400, 'INVITE')).reason).toBe('Missing Contact');
    send({ method: 'INVITE', body: 'hello', contentType: 'text/plain' });
    expect((await peer.response(415, 'INVITE')).header('accept')).toBe('application/sdp');
  });

  it('sets up a call: 200 with the answer and Contact, ACK, then a BYE from the peer ends it', async () => {
    const events: string[] = [];
    onInvite = (call) => {
      call.on('ack', () => events.push('ack')).on('bye', () => events.push('bye')).on('terminated', (r) => events.push(`terminated:${r}`));
      expect(call.displayName).toBe('Peer');
      expect(call.remoteContact).toBe(`sip:peer@127.0.0.1:${peer.port}`);
      expect(call.source).toEqual({ transport: 'UDP', address: '127.0.0.1', port: peer.port });
      expect(call.requestUri.user).toBe('1000');
      call.ringing();
      call.accept(call.sdpOrigin.stamp((origin) => createAnswer(call.offer!, { ...LOCAL, origin })));
    };
    const { ok, toTag, callId } = await establish();
    expect(parse(ok.body.toString()).media[0].port).toBe(30000);
    expect(ok.header('contact')).toBe(`<sip:mcu@127.0.0.1:${ua.port}>`);
    expect(ua.stats().userAgent.activeCalls).toBe(1);
    send({ method: 'BYE', callId, toTag, cseq: 2 });
    await peer.response(200, 'BYE');
    expect(events).toEqual(['ack', 'bye', 'terminated:remote-bye']);
    expect(ua.stats().userAgent.activeDialogs).toBe(0);
  });

  it('answers CANCEL with 200 and the INVITE with 487 (§9.2)', async () => {
    const events: string[] = [];
    onInvite = (call) => {
      call.on('cancelled', () => events.push('cancelled')).on('terminated', (r) => events.push(`terminated:${r}`));
      call.ringing();
    };
    send({ method: 'INVITE', callId: 'cancel-me', branch: 'z9hG4bKcancel1', body: peerOffer() });
    await peer.response(180, 'INVITE');
    send({ method: 'CANCEL', callId: 'cancel-me', branch: 'z9hG4bKcancel1' });
    await peer.response(200, 'CANCEL');
    const terminated = await peer.response(487, 'INVITE');
    send({ method: 'ACK', callId: 'cancel-me', branch: 'z9hG4bKcancel1', toTag: getTag(getTo(terminated)) });
    expect(events).toEqual(['cancelled', 'terminated:cancelled']);
    send({ method: 'CANCEL', callId: 'unknown', branch: 'z9hG4bKnothing' });
    await peer.response(481, 'CANCEL');
  });

  it('passes the delegate\'s rejection (404) and answers 500 when the delegate throws', async () => {
    onInvite = (call) => call.reject(404);
    send({ method: 'INVITE', body: peerOffer() });
    await peer.response(404, 'INVITE');
    onInvite = () => {
      throw new Error('boom');
    };
    send({ method: 'INVITE', body: peerOffer() });
    await peer.response(500, 'INVITE');
  });

  it('offers in the 200 to an INVITE without SDP and takes the answer from the ACK', async () => {
    const acks: Array<string | undefined> = [];
    onInvite = (call) => {
      expect(call.offer).toBeUndefined();
      call.on('ack', (answer) => acks.push(answer));
      call.accept(call.sdpOrigin.stamp((origin) => createOffer({ ...LOCAL, origin })));
    };
    send({ method: 'INVITE', callId: 'late-offer' });
    const ok = await peer.response(200, 'INVITE');
    expect(parse(ok.body.toString()).media[0].payloads).toBe('0 8 9 111 101');
    send({ method: 'ACK', callId: 'late-offer', toTag: getTag(getTo(ok)), body: peerOffer() });
    await expect(waitUntil(() => acks.length > 0)).resolves.toBe(true);
    expect(acks[0]).toBe(peerOffer());
  });

  it('delivers MESSAGE outside and inside a dialog, and INFO inside', async () => {
    send({ method: 'MESSAGE', body: 'hello room', contentType: 'text/plain' });
    await peer.response(200, 'MESSAGE');
    expect(messages.map((m) => [m.body, m.contentType, m.requestUri.user])).toEqual([['hello room', 'text/plain', '1000']]);
    const got: string[] = [];
    onInvite = (call) => {
      call.on('message', (type, body) => got.push(`message ${type} ${body}`)).on('info', (type, body) => got.push(`info ${type} ${body}`));
      call.accept(call.sdpOrigin.stamp((origin) => createAnswer(call.offer!, { ...LOCAL, origin })));
    };
    const { toTag, callId } = await establish();
    send({ method: 'MESSAGE', callId, toTag, cseq: 2, body: 'in dialog', contentType: 'text/plain' });
    await peer.response(200, 'MESSAGE');
    send({ method: 'INFO', callId, toTag, cseq: 3, body: 'Signal=1\r\nDuration=100\r\n', contentType: 'application/dtmf-relay' });
    await peer.response(200, 'INFO');
    expect(got).toEqual(['message text/plain in dialog', 'info application/dtmf-relay Signal=1\r\nDuration=100\r\n']);
  });

  it('sends MESSAGE and BYE to the caller inside the dialog', async () => {
    const ended: string[] = [];
    const { call } = await establish();
    call.on('terminated', (r) => ended.push(r));
    await waitUntil(() => call.state === 'confirmed');
    const sent = call.sendMessage('text/plain', 'from the room');
    const msg = await peer.request('MESSAGE');
    expect(msg.body.toString()).toBe('from the room');
    expect(msg.uri).toBe(`sip:peer@127.0.0.1:${peer.port}`);
    peer.sendText(reply(msg, 200));
    expect((await sent).status).toBe(200);
    call.bye();
    const bye = await peer.request('BYE');
    expect(getCSeq(bye).seq).toBe(getCSeq(msg).seq + 1);
    peer.sendText(reply(bye, 200));
    expect(ended).toEqual(['local-bye']);
  });

  it('answers a re-INVITE for hold with recvonly from the current local description', async () => {
    const reinvites: string[] = [];
    const { ok: first, toTag, callId, call } = await establish();
    call.on('reinvite', (remote, local) => reinvites.push(local));
    send({ method: 'INVITE', callId, toTag, cseq: 2, body: peerOffer(40000, 'sendonly') });
    const ok = await peer.response(200, 'INVITE');
    const answer = parse(ok.body.toString());
    expect(answer.media[0].direction).toBe('recvonly');
    expect(answer.media[0].port).toBe(30000);
    expect(answer.origin.sessionVersion).toBe(parse(first.body.toString()).origin.sessionVersion + 1);
    expect(answer.origin.sessionId).toBe(parse(first.body.toString()).origin.sessionId);
    send({ method: 'ACK', callId, toTag, cseq: 2 });
    expect(reinvites).toHaveLength(1);
  });

  it('stops: BYE to answered calls, 480 to unanswered INVITEs, then closes', async () => {
    await establish();
    onInvite = (call) => call.ringing();
    send({ method: 'INVITE', callId: 'pending', body: peerOffer() });
    await peer.response(180, 'INVITE');
    const stopped = ua.stop();
    const bye = await peer.request('BYE');
    peer.sendText(reply(bye, 200));
    await peer.response(480, 'INVITE');
    await stopped;
    expect(ua.stats().transactions.total).toBe(0);
    expect(ua.stats().userAgent.activeDialogs).toBe(0);
  });

  it('sets up a call over TCP and sends its BYE over the same connection', async () => {
    const tcp = await TcpPeer.open(ua.port);
    try {
      const { ok, call } = await establish({}, tcp);
      expect(ok.header('contact')).toBe(`<sip:mcu@127.0.0.1:${ua.port};transport=tcp>`);
      await waitUntil(() => call.state === 'confirmed');
      call.bye();
      const bye = await tcp.request('BYE');
      tcp.sendText(reply(bye, 200));
      expect(parseNameAddr(bye.header('to')!).params.get('tag')).toBe('peer-tag');
    } finally {
      await tcp.close();
    }
  });
});

/** A response to `req` as the peer sends it. */
function reply(req: SipRequest, status: number): string {
  const lines = [`SIP/2.0 ${status} OK`];
  for (const name of ['via', 'from', 'to', 'call-id', 'cseq']) for (const v of req.headers.getAll(name)) lines.push(`${name}: ${v}`);
  lines.push('Content-Length: 0', '', '');
  return lines.join('\r\n');
}

/** Poll `cond` every 10 ms, at most 300 times. */
async function waitUntil(cond: () => boolean): Promise<boolean> {
  for (let i = 0; i < 300; i++) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}

