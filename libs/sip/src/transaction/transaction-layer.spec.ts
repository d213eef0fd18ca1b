/**
 * Transaction matching and TU plumbing of the transaction layer (RFC 3261 §17.1.3, §17.2.3, §9.1,
 * §9.2, §8.1.3.1, §13.3.1.4; RFC 2543 fallback).
 */
import { parseMessage, SipHeaders, SipRequest, topVia } from '../message';
import { ClientTransaction } from './client-transaction';
import { FakeTransport, outgoingRequest, PEER, requestText, responseText } from './fake-transport.fixture';
import { InviteClientTransaction } from './invite-client';
import { InviteServerTransaction } from './invite-server';
import { NonInviteServerTransaction } from './non-invite-server';
import { ServerTransaction } from './server-transaction';
import { TransactionError } from './transaction';
import { TransactionLayer } from './transaction-layer';
import { TransactionKind, TransactionState } from './transaction-state';
import { TransactionUser } from './transaction-user';

const S = TransactionState;

describe('transaction layer', () => {
  let fake: FakeTransport;
  let layer: TransactionLayer;
  let requests: Array<{ req: SipRequest; tx: ServerTransaction }>;
  let acks: SipRequest[];
  let user: TransactionUser;

  beforeEach(() => {
    jest.useFakeTimers();
    fake = new FakeTransport();
    layer = new TransactionLayer({ transport: fake });
    requests = [];
    acks = [];
    user = { onRequest: (req, tx) => requests.push({ req, tx }), onAck: (ack) => acks.push(ack) };
    layer.setUser(user);
  });

  afterEach(() => {
    layer.dispose();
    jest.useRealTimers();
  });

  describe('client matching (§17.1.3)', () => {
    it('matches a response by top-Via branch and CSeq method', () => {
      const onResponse = jest.fn();
      const tx = layer.sendRequest(outgoingRequest('OPTIONS'), PEER, { onResponse });
      expect(fake.respond(responseText(200, tx.branch, 'OPTIONS'))).toBe(true);
      expect(onResponse).toHaveBeenCalledTimes(1);
    });

    it('a response with another branch is stray', () => {
      layer.sendRequest(outgoingRequest('OPTIONS'), PEER, { onResponse: jest.fn() });
      expect(fake.respond(responseText(200, 'z9hG4bK-other', 'OPTIONS'))).toBe(false);
    });

    it('INVITE and its CANCEL share a branch but not a transaction', () => {
      const onInvite = jest.fn();
      const onCancel = jest.fn();
      const ict = layer.sendRequest(outgoingRequest('INVITE'), PEER, { onResponse: onInvite }) as InviteClientTransaction;
      fake.respond(responseText(180, ict.branch, 'INVITE'));
      expect(layer.cancel(ict, { onResponse: onCancel })).toBe(true);
      const cancel = fake.requests('CANCEL')[0];
      expect(topVia(cancel).branch).toBe(ict.branch);
      fake.respond(responseText(200, ict.branch, 'CANCEL'));
      fake.respond(responseText(487, ict.branch, 'INVITE'));
      expect(onCancel.mock.calls.map((c) => c[0].status)).toEqual([200]);
      expect(onInvite.mock.calls.map((c) => c[0].status)).toEqual([180, 487]);
    });

    it('writes a fresh RFC 3261 branch when the request has none or an RFC 2543 one', () => {
      const req = outgoingRequest('OPTIONS');
      req.headers.prepend('Via', 'SIP/2.0/UDP 192.0.2.1:5060;branch=old2543');
      const tx = layer.sendRequest(req, PEER, { onResponse: jest.fn() });
      expect(tx.branch).toMatch(/^z9hG4bK/);
      expect(topVia(req).branch).toBe(tx.branch);
    });

    it('refuses ACK, a CSeq method mismatch, and a second transaction with the same branch', () => {
      expect(() => layer.sendRequest(outgoingRequest('ACK'), PEER, { onResponse: jest.fn() })).toThrow(TransactionError);
      const bad = outgoingRequest('OPTIONS');
      bad.headers.set('CSeq', '1 INFO');
      expect(() => layer.sendRequest(bad, PEER, { onResponse: jest.fn() })).toThrow(TransactionError);
      const tx = layer.sendRequest(outgoingRequest('OPTIONS'), PEER, { onResponse: jest.fn() });
      const again = outgoingRequest('OPTIONS');
      again.headers.prepend('Via', `SIP/2.0/UDP 192.0.2.1:5060;branch=${tx.branch}`);
      expect(() => layer.sendRequest(again, PEER, { onResponse: jest.fn() })).toThrow(TransactionError);
    });
  });

  describe('CANCEL on the client side (§9.1)', () => {
    it('waits for a provisional response before sending CANCEL', () => {
      const ict = layer.sendRequest(outgoingRequest('INVITE'), PEER, { onResponse: jest.fn() }) as InviteClientTransaction;
      expect(layer.cancel(ict)).toBe(true);
      expect(fake.requests('CANCEL')).toHaveLength(0);
      fake.respond(responseText(100, ict.branch, 'INVITE'));
      expect(fake.requests('CANCEL')).toHaveLength(1);
    });

    it('sends nothing once the INVITE has a final response', () => {
      const ict = layer.sendRequest(outgoingRequest('INVITE'), PEER, { onResponse: jest.fn() }) as InviteClientTransaction;
      layer.cancel(ict);
      fake.respond(responseText(486, ict.branch, 'INVITE'));
      expect(fake.requests('CANCEL')).toHaveLength(0);
      expect(layer.cancel(ict)).toBe(false);
    });
  });

  describe('TU outcomes (§8.1.3.1)', () => {
    it('a transport error is reported once (503 semantics) and terminates the transaction', async () => {
      fake.failWith = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      const onTransportError = jest.fn();
      const onTerminated = jest.fn();
      const tx = layer.sendRequest(outgoingRequest('OPTIONS'), PEER, { onResponse: jest.fn(), onTransportError, onTerminated });
      await Promise.resolve();
      await Promise.resolve();
      expect(onTransportError).toHaveBeenCalledTimes(1);
      expect(onTerminated).toHaveBeenCalledTimes(1);
      expect(tx.state).toBe(S.Terminated);
      expect(layer.stats().total).toBe(0);
    });

    it('an exception thrown by a client callback is contained', () => {
      const tx = layer.sendRequest(outgoingRequest('OPTIONS'), PEER, {
        onResponse: () => {
          throw new Error('TU bug');
        },
      });
      expect(() => fake.respond(responseText(200, tx.branch, 'OPTIONS'))).not.toThrow();
      expect(tx.state).toBe(S.Completed);
    });

    it('a request sent over TCP that fell back to UDP starts retransmitting (§18.1.1)', async () => {
      fake.usedTarget = { ...PEER, transport: 'UDP' };
      const tx: ClientTransaction = layer.sendRequest(outgoingRequest('OPTIONS'), { ...PEER, transport: 'TCP' }, { onResponse: jest.fn() });
      expect(tx.reliable).toBe(true);
      await Promise.resolve();
      await Promise.resolve();
      expect(tx.reliable).toBe(false);
      expect(tx.target.transport).toBe('UDP');
      jest.advanceTimersByTime(500);
      expect(fake.requests('OPTIONS')).toHaveLength(2);
    });
  });

  describe('server matching (§17.2.3)', () => {
    it('a retransmission (same branch and sent-by) is absorbed, not passed to the TU', () => {
      fake.receive(requestText('OPTIONS'));
      fake.receive(requestText('OPTIONS'));
      expect(requests).toHaveLength(1);
    });

    it('the same branch from another sent-by is a new transaction', () => {
      fake.receive(requestText('OPTIONS'));
      fake.receive(requestText('OPTIONS', { sentBy: '192.0.2.99:5060' }));
      expect(requests).toHaveLength(2);
    });

    it('the same branch with another method is a new transaction', () => {
      fake.receive(requestText('OPTIONS'));
      fake.receive(requestText('INFO', { cseq: 2 }));
      expect(requests).toHaveLength(2);
    });

    it('the ACK for a non-2xx matches the INVITE transaction and is absorbed there', () => {
      fake.receive(requestText('INVITE'));
      const tx = requests[0].tx;
      tx.reply(486);
      fake.receive(requestText('ACK', { toTag: tx.toTag }));
      expect(tx.state).toBe(S.Confirmed);
      expect(acks).toHaveLength(0);
    });

    it('the ACK for a 2xx (new branch) goes to the TU and stops the 2xx retransmission', () => {
      fake.receive(requestText('INVITE'));
      const tx = requests[0].tx as InviteServerTransaction;
      tx.reply(200);
      fake.receive(requestText('ACK', { branch: 'z9hG4bK-ack', toTag: tx.toTag }));
      expect(acks).toHaveLength(1);
      expect(tx.ackReceivedFlag).toBe(true);
      jest.advanceTimersByTime(10_000);
      expect(fake.responses(200)).toHaveLength(1);
    });

    it('a stray ACK goes to the TU without a transaction', () => {
      fake.receive(requestText('ACK', { branch: 'z9hG4bK-nothing', toTag: 'x' }));
      expect(acks).toHaveLength(1);
      expect(layer.stats().total).toBe(0);
    });

    it('a request whose CSeq method differs from its method is answered 400 and never reaches the TU', () => {
      // The parser rejects this already; the layer checks again for messages built by other means.
      const req = parseMessage(Buffer.from(requestText('OPTIONS'))) as SipRequest;
      req.headers.set('CSeq', '1 INFO');
      fake.receive(req);
      expect(fake.rejected).toEqual([{ status: 400, reason: 'CSeq Method Mismatch', method: 'OPTIONS' }]);
      expect(requests).toHaveLength(0);
    });

    it('a request without Call-ID is answered 400 naming the header', () => {
      const h = new SipHeaders();
      h.append('Via', 'SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-nocallid');
      h.append('From', '<sip:a@192.0.2.10>;tag=1');
      h.append('To', '<sip:b@192.0.2.1>');
      h.append('CSeq', '1 OPTIONS');
      fake.receive(new SipRequest('OPTIONS', 'sip:b@192.0.2.1', h));
      expect(fake.rejected).toEqual([{ status: 400, reason: 'Missing Call-ID', method: 'OPTIONS' }]);
    });

    it('a TU that throws gets its request answered 500', () => {
      layer.setUser({
        onRequest: () => {
          throw new Error('TU bug');
        },
        onAck: jest.fn(),
      });
      fake.receive(requestText('OPTIONS'));
      expect(fake.responses(500)).toHaveLength(1);
    });

    it('no TU: requests are answered 503', () => {
      const f2 = new FakeTransport();
      const l2 = new TransactionLayer({ transport: f2 });
      f2.receive(requestText('OPTIONS'));
      expect(f2.responses(503)).toHaveLength(1);
      l2.dispose();
    });
  });

  describe('RFC 2543 fallback (branch without the magic cookie)', () => {
    it('matches a retransmission by Request-URI, tags, Call-ID, CSeq and top Via', () => {
      fake.receive(requestText('INVITE', { branch: '' }));
      fake.receive(requestText('INVITE', { branch: '' }));
      expect(requests).toHaveLength(1);
      fake.receive(requestText('INVITE', { branch: 'old-style-1' }));
      fake.receive(requestText('INVITE', { branch: 'old-style-1' }));
      expect(requests).toHaveLength(2);
    });

    it('a different To tag, Call-ID, CSeq or Request-URI is a new transaction', () => {
      fake.receive(requestText('OPTIONS', { branch: '' }));
      fake.receive(requestText('OPTIONS', { branch: '', toTag: 'other' }));
      fake.receive(requestText('OPTIONS', { branch: '', callId: 'another@x' }));
      fake.receive(requestText('OPTIONS', { branch: '', cseq: 7 }));
      fake.receive(requestText('OPTIONS', { branch: '', uri: 'sip:2000@192.0.2.1' }));
      expect(requests).toHaveLength(5);
    });

    it('the ACK matches when its To tag is the one of the response', () => {
      fake.receive(requestText('INVITE', { branch: '' }));
      const tx = requests[0].tx;
      tx.reply(404);
      fake.receive(requestText('ACK', { branch: '', toTag: 'not-ours' }));
      expect(tx.state).toBe(S.Completed);
      expect(acks).toHaveLength(1);
      fake.receive(requestText('ACK', { branch: '', toTag: tx.toTag }));
      expect(tx.state).toBe(S.Confirmed);
      expect(acks).toHaveLength(1);
    });

    it('a CANCEL finds its INVITE', () => {
      fake.receive(requestText('INVITE', { branch: '' }));
      const invite = requests[0].tx;
      fake.receive(requestText('CANCEL', { branch: '' }));
      expect(fake.responses(200)).toHaveLength(1);
      expect(invite.lastResponse?.status).toBe(487);
    });
  });

  describe('CANCEL on the server side (§9.2)', () => {
    it('default handling: 200 to the CANCEL with the INVITE\'s To tag, 487 to the INVITE, TU told', () => {
      fake.receive(requestText('INVITE'));
      const invite = requests[0].tx;
      const onCancelled = jest.fn();
      invite.delegate = { onCancelled };
      invite.reply(180);
      fake.receive(requestText('CANCEL'));
      const ok = fake.responses(200)[0];
      expect(ok.headers.get('cseq')).toBe('1 CANCEL');
      expect(ok.headers.get('to')).toContain(`tag=${invite.toTag}`);
      expect(invite.lastResponse?.status).toBe(487);
      expect(invite.lastResponse?.headers.get('to')).toContain(`tag=${invite.toTag}`);
      expect(onCancelled).toHaveBeenCalledTimes(1);
      expect((invite as InviteServerTransaction).cancelled).toBe(true);
      expect(requests).toHaveLength(1);
    });

    it('default handling: a CANCEL after the final response gets 200 and changes nothing', () => {
      fake.receive(requestText('INVITE'));
      const invite = requests[0].tx;
      invite.reply(200);
      fake.receive(requestText('CANCEL'));
      expect(fake.responses(200).map((r) => r.headers.get('cseq'))).toEqual(['1 INVITE', '1 CANCEL']);
      expect(fake.responses(487)).toHaveLength(0);
    });

    it('a CANCEL with a branch of its own still finds its INVITE by Call-ID, CSeq, From tag and Request-URI', () => {
      fake.receive(requestText('INVITE'));
      fake.receive(requestText('CANCEL', { branch: 'z9hG4bK-fresh-cancel-branch' }));
      expect(fake.responses(487)).toHaveLength(1);
      expect(fake.responses(481)).toHaveLength(0);
    });

    it('…but not an INVITE from another source address', () => {
      fake.receive(requestText('INVITE'));
      fake.receive(requestText('CANCEL', { branch: 'z9hG4bK-fresh-cancel-branch' }), { ...PEER, address: '203.0.113.9' });
      expect(fake.responses(481)).toHaveLength(1);
      expect(fake.responses(487)).toHaveLength(0);
    });

    it('default handling: an unmatched CANCEL gets 481', () => {
      fake.receive(requestText('CANCEL', { branch: 'z9hG4bK-unknown' }));
      expect(fake.responses(481)).toHaveLength(1);
    });

    it('onCancel gets the CANCEL transaction and the matched INVITE transaction', () => {
      const onCancel = jest.fn();
      layer.setUser({ ...user, onCancel });
      fake.receive(requestText('INVITE'));
      fake.receive(requestText('CANCEL'));
      expect(onCancel).toHaveBeenCalledTimes(1);
      const [, cancelTx, inviteTx] = onCancel.mock.calls[0];
      expect(cancelTx).toBeInstanceOf(NonInviteServerTransaction);
      expect(inviteTx).toBe(requests[0].tx);
      expect(fake.sent).toHaveLength(0);
    });

    it('a retransmitted CANCEL is absorbed by the CANCEL transaction', () => {
      fake.receive(requestText('INVITE'));
      fake.receive(requestText('CANCEL'));
      fake.receive(requestText('CANCEL'));
      expect(fake.responses(200)).toHaveLength(2); // the 200 resent, no second 487
      expect(fake.responses(487)).toHaveLength(1);
    });
  });

  describe('lifecycle', () => {
    it('counts live transactions by kind and returns to zero once the timers ran out', () => {
      layer.sendRequest(outgoingRequest('INVITE'), PEER, { onResponse: jest.fn() });
      layer.sendRequest(outgoingRequest('OPTIONS', 2), PEER, { onResponse: jest.fn() });
      fake.receive(requestText('INVITE'));
      fake.receive(requestText('OPTIONS', { branch: 'z9hG4bK-o' }));
      expect(layer.stats()).toEqual({ total: 4, clientTransactions: 2, serverTransactions: 2, byKind: { ICT: 1, NICT: 1, IST: 1, NIST: 1 } });
      for (const { tx } of requests) tx.reply(486);
      jest.advanceTimersByTime(64 * 500);
      expect(layer.stats().total).toBe(0);
    });

    it('dispose() terminates everything, is safe twice, and later requests get 503', () => {
      const onTerminated = jest.fn();
      const tx = layer.sendRequest(outgoingRequest('INVITE'), PEER, { onResponse: jest.fn(), onTerminated });
      fake.receive(requestText('INVITE'));
      layer.dispose();
      layer.dispose();
      expect(tx.state).toBe(S.Terminated);
      expect(onTerminated).toHaveBeenCalledTimes(1);
      expect(layer.stats().total).toBe(0);
      fake.receive(requestText('OPTIONS', { branch: 'z9hG4bK-late' }));
      expect(fake.rejected.map((r) => r.status)).toEqual([503]);
      expect(() => layer.sendRequest(outgoingRequest('OPTIONS'), PEER, { onResponse: jest.fn() })).toThrow(TransactionError);
      jest.advanceTimersByTime(60_000);
      expect(fake.requests('INVITE')).toHaveLength(1);
    });

    it('transaction kinds', () => {
      const ict = layer.sendRequest(outgoingRequest('INVITE'), PEER, { onResponse: jest.fn() });
      const nict = layer.sendRequest(outgoingRequest('OPTIONS', 2), PEER, { onResponse: jest.fn() });
      expect([ict.kind, nict.kind]).toEqual([TransactionKind.ICT, TransactionKind.NICT]);
    });
  });
});
