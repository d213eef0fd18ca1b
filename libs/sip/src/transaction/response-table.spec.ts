/**
 * Final and provisional responses against every state of the four transaction kinds (RFC 3261 §17.1.1.2,
 * §17.1.2.2, §17.2.1, §17.2.2; RFC 6026 Accepted state), over UDP: the resulting state and what the
 * transaction did with the response.
 *
 * Client rows feed a received response to the transaction; server rows pass a response from the TU.
 */
import { getCSeq } from '../message';
import { ClientTransaction } from './client-transaction';
import { FakeTransport, outgoingRequest, PEER, requestText, responseText } from './fake-transport.fixture';
import { InviteServerTransaction } from './invite-server';
import { ServerTransaction } from './server-transaction';
import { TransactionLayer } from './transaction-layer';
import { TransactionKind, TransactionState } from './transaction-state';

const S = TransactionState;

/** What happened to the response. */
type Action =
  | 'passed up' // client: handed to the TU
  | 'passed up, ACK sent' // ICT: 300-699 → ACK generated in the transaction (§17.1.1.3)
  | 'ACK resent' // ICT Completed: retransmitted final answered with the same ACK
  | 'absorbed' // client: not handed to the TU, nothing sent
  | 'sent' // server: response sent
  | 'refused'; // server: not sent, respond() returned false

interface Harness {
  fake: FakeTransport;
  layer: TransactionLayer;
  passedUp: number[];
}

function harness(): Harness {
  const fake = new FakeTransport();
  const layer = new TransactionLayer({ transport: fake });
  return { fake, layer, passedUp: [] };
}

/** Drives a client transaction of `kind` into `state`. */
function clientIn(h: Harness, kind: TransactionKind, state: TransactionState): ClientTransaction {
  const method = kind === TransactionKind.ICT ? 'INVITE' : 'OPTIONS';
  const tx = h.layer.sendRequest(outgoingRequest(method), PEER, { onResponse: (r) => h.passedUp.push(r.status) });
  const feed = (status: number): void => void h.fake.respond(responseText(status, tx.branch, method));
  if (state === S.Proceeding) feed(180);
  if (state === S.Accepted) feed(200);
  if (state === S.Completed) feed(kind === TransactionKind.ICT ? 486 : 200);
  if (state === S.Terminated) tx.dispose();
  expect(tx.state).toBe(state);
  h.passedUp.length = 0;
  h.fake.sent.length = 0;
  return tx;
}

/** Drives a server transaction of `kind` into `state`. */
function serverIn(h: Harness, kind: TransactionKind, state: TransactionState): ServerTransaction {
  let tx: ServerTransaction | undefined;
  h.layer.setUser({ onRequest: (_r, t) => (tx = t), onAck: () => undefined });
  const method = kind === TransactionKind.IST ? 'INVITE' : 'OPTIONS';
  h.fake.receive(requestText(method));
  if (!tx) throw new Error('no server transaction');
  if (state === S.Proceeding) tx.reply(180);
  if (state === S.Accepted) tx.reply(200);
  if (state === S.Completed) tx.reply(kind === TransactionKind.IST ? 486 : 200);
  if (state === S.Confirmed) {
    tx.reply(486);
    h.fake.receive(requestText('ACK', { toTag: tx.toTag }));
  }
  if (state === S.Terminated) tx.dispose();
  expect(tx.state).toBe(state);
  h.fake.sent.length = 0;
  return tx;
}

type Row = [TransactionKind, TransactionState, number, TransactionState, Action];

const clientRows: Row[] = [
  // ICT (§17.1.1.2 + RFC 6026 §8.4)
  [TransactionKind.ICT, S.Calling, 180, S.Proceeding, 'passed up'],
  [TransactionKind.ICT, S.Calling, 200, S.Accepted, 'passed up'],
  [TransactionKind.ICT, S.Calling, 302, S.Completed, 'passed up, ACK sent'],
  [TransactionKind.ICT, S.Calling, 486, S.Completed, 'passed up, ACK sent'],
  [TransactionKind.ICT, S.Calling, 503, S.Completed, 'passed up, ACK sent'],
  [TransactionKind.ICT, S.Calling, 603, S.Completed, 'passed up, ACK sent'],
  [TransactionKind.ICT, S.Proceeding, 183, S.Proceeding, 'passed up'],
  [TransactionKind.ICT, S.Proceeding, 200, S.Accepted, 'passed up'],
  [TransactionKind.ICT, S.Proceeding, 404, S.Completed, 'passed up, ACK sent'],
  [TransactionKind.ICT, S.Accepted, 180, S.Accepted, 'absorbed'],
  [TransactionKind.ICT, S.Accepted, 200, S.Accepted, 'passed up'],
  [TransactionKind.ICT, S.Accepted, 486, S.Accepted, 'absorbed'],
  [TransactionKind.ICT, S.Completed, 180, S.Completed, 'absorbed'],
  [TransactionKind.ICT, S.Completed, 200, S.Completed, 'absorbed'],
  [TransactionKind.ICT, S.Completed, 486, S.Completed, 'ACK resent'],
  [TransactionKind.ICT, S.Terminated, 180, S.Terminated, 'absorbed'],
  [TransactionKind.ICT, S.Terminated, 200, S.Terminated, 'absorbed'],
  [TransactionKind.ICT, S.Terminated, 486, S.Terminated, 'absorbed'],
  // NICT (§17.1.2.2)
  [TransactionKind.NICT, S.Trying, 100, S.Proceeding, 'passed up'],
  [TransactionKind.NICT, S.Trying, 200, S.Completed, 'passed up'],
  [TransactionKind.NICT, S.Trying, 302, S.Completed, 'passed up'],
  [TransactionKind.NICT, S.Trying, 486, S.Completed, 'passed up'],
  [TransactionKind.NICT, S.Trying, 603, S.Completed, 'passed up'],
  [TransactionKind.NICT, S.Proceeding, 180, S.Proceeding, 'passed up'],
  [TransactionKind.NICT, S.Proceeding, 200, S.Completed, 'passed up'],
  [TransactionKind.NICT, S.Proceeding, 486, S.Completed, 'passed up'],
  [TransactionKind.NICT, S.Completed, 180, S.Completed, 'absorbed'],
  [TransactionKind.NICT, S.Completed, 200, S.Completed, 'absorbed'],
  [TransactionKind.NICT, S.Completed, 486, S.Completed, 'absorbed'],
  [TransactionKind.NICT, S.Terminated, 180, S.Terminated, 'absorbed'],
  [TransactionKind.NICT, S.Terminated, 200, S.Terminated, 'absorbed'],
  [TransactionKind.NICT, S.Terminated, 486, S.Terminated, 'absorbed'],
];

const serverRows: Row[] = [
  // IST (§17.2.1 + RFC 6026 §8.5–8.7)
  [TransactionKind.IST, S.Proceeding, 180, S.Proceeding, 'sent'],
  [TransactionKind.IST, S.Proceeding, 200, S.Accepted, 'sent'],
  [TransactionKind.IST, S.Proceeding, 302, S.Completed, 'sent'],
  [TransactionKind.IST, S.Proceeding, 486, S.Completed, 'sent'],
  [TransactionKind.IST, S.Proceeding, 503, S.Completed, 'sent'],
  [TransactionKind.IST, S.Proceeding, 603, S.Completed, 'sent'],
  [TransactionKind.IST, S.Accepted, 180, S.Accepted, 'refused'],
  [TransactionKind.IST, S.Accepted, 200, S.Accepted, 'sent'],
  [TransactionKind.IST, S.Accepted, 486, S.Accepted, 'refused'],
  [TransactionKind.IST, S.Completed, 180, S.Completed, 'refused'],
  [TransactionKind.IST, S.Completed, 200, S.Completed, 'refused'],
  [TransactionKind.IST, S.Completed, 486, S.Completed, 'refused'],
  [TransactionKind.IST, S.Confirmed, 180, S.Confirmed, 'refused'],
  [TransactionKind.IST, S.Confirmed, 200, S.Confirmed, 'refused'],
  [TransactionKind.IST, S.Confirmed, 486, S.Confirmed, 'refused'],
  [TransactionKind.IST, S.Terminated, 180, S.Terminated, 'refused'],
  [TransactionKind.IST, S.Terminated, 200, S.Terminated, 'refused'],
  [TransactionKind.IST, S.Terminated, 486, S.Terminated, 'refused'],
  // NIST (§17.2.2)
  [TransactionKind.NIST, S.Trying, 180, S.Proceeding, 'sent'],
  [TransactionKind.NIST, S.Trying, 200, S.Completed, 'sent'],
  [TransactionKind.NIST, S.Trying, 302, S.Completed, 'sent'],
  [TransactionKind.NIST, S.Trying, 486, S.Completed, 'sent'],
  [TransactionKind.NIST, S.Trying, 603, S.Completed, 'sent'],
  [TransactionKind.NIST, S.Proceeding, 180, S.Proceeding, 'sent'],
  [TransactionKind.NIST, S.Proceeding, 200, S.Completed, 'sent'],
  [TransactionKind.NIST, S.Proceeding, 486, S.Completed, 'sent'],
  [TransactionKind.NIST, S.Completed, 180, S.Completed, 'refused'],
  [TransactionKind.NIST, S.Completed, 200, S.Completed, 'refused'],
  [TransactionKind.NIST, S.Completed, 486, S.Completed, 'refused'],
  [TransactionKind.NIST, S.Terminated, 180, S.Terminated, 'refused'],
  [TransactionKind.NIST, S.Terminated, 200, S.Terminated, 'refused'],
  [TransactionKind.NIST, S.Terminated, 486, S.Terminated, 'refused'],
];

describe('response table over UDP', () => {
  let h: Harness;
  beforeEach(() => {
    jest.useFakeTimers();
    h = harness();
  });
  afterEach(() => {
    h.layer.dispose();
    jest.useRealTimers();
  });

  it.each(clientRows)('%s in %s receiving %i → %s (%s)', (kind, from, status, to, action) => {
    const tx = clientIn(h, kind, from);
    const method = kind === TransactionKind.ICT ? 'INVITE' : 'OPTIONS';
    const matched = h.fake.respond(responseText(status, tx.branch, method));
    expect(tx.state).toBe(to);
    const acks = h.fake.requests('ACK');
    const passed = h.passedUp.includes(status);
    switch (action) {
      case 'passed up':
        expect(passed).toBe(true);
        expect(acks).toHaveLength(0);
        break;
      case 'passed up, ACK sent':
        expect(passed).toBe(true);
        expect(acks).toHaveLength(1);
        expect(getCSeq(acks[0]).method).toBe('ACK');
        expect(acks[0].headers.get('via')).toContain(tx.branch);
        break;
      case 'ACK resent':
        expect(passed).toBe(false);
        expect(acks).toHaveLength(1);
        break;
      case 'absorbed':
        expect(passed).toBe(false);
        expect(h.fake.sent).toHaveLength(0);
        break;
      default:
        throw new Error(`unexpected client action ${action}`);
    }
    // A terminated transaction is no longer matched: the response is a stray.
    expect(matched).toBe(from !== S.Terminated);
  });

  it.each(serverRows)('%s in %s, TU sends %i → %s (%s)', (kind, from, status, to, action) => {
    const tx = serverIn(h, kind, from);
    const ok = tx.reply(status);
    expect(tx.state).toBe(to);
    if (action === 'sent') {
      expect(ok).toBe(true);
      expect(h.fake.responses(status)).toHaveLength(1);
    } else {
      expect(ok).toBe(false);
      expect(h.fake.sent).toHaveLength(0);
    }
  });
});

describe('response table over TCP (reliable: Timers D, I, J, K are zero)', () => {
  let h: Harness;
  const TCP_PEER = { ...PEER, transport: 'TCP' as const };
  beforeEach(() => {
    jest.useFakeTimers();
    h = harness();
  });
  afterEach(() => {
    h.layer.dispose();
    jest.useRealTimers();
  });

  it.each([
    [TransactionKind.ICT, 486, S.Terminated],
    [TransactionKind.ICT, 200, S.Accepted],
    [TransactionKind.NICT, 200, S.Terminated],
    [TransactionKind.NICT, 404, S.Terminated],
  ])('%s receiving %i → %s at once', (kind, status, to) => {
    const method = kind === TransactionKind.ICT ? 'INVITE' : 'OPTIONS';
    const tx = h.layer.sendRequest(outgoingRequest(method), TCP_PEER, { onResponse: () => undefined });
    h.fake.respond(responseText(status, tx.branch, method), TCP_PEER);
    expect(tx.state).toBe(to);
    if (kind === TransactionKind.ICT && status >= 300) expect(h.fake.requests('ACK')).toHaveLength(1);
  });

  it('NIST: a final response terminates at once (Timer J = 0)', () => {
    let tx: ServerTransaction | undefined;
    h.layer.setUser({ onRequest: (_r, t) => (tx = t), onAck: () => undefined });
    h.fake.receive(requestText('OPTIONS', { transport: 'TCP' }), TCP_PEER);
    tx?.reply(200);
    expect(tx?.state).toBe(S.Terminated);
    expect(h.layer.stats().total).toBe(0);
  });

  it('IST: 486 waits in Completed for the ACK (Timer H), then terminates at once (Timer I = 0)', () => {
    let tx: ServerTransaction | undefined;
    h.layer.setUser({ onRequest: (_r, t) => (tx = t), onAck: () => undefined });
    h.fake.receive(requestText('INVITE', { transport: 'TCP' }), TCP_PEER);
    const ist = tx as InviteServerTransaction;
    ist.reply(486);
    expect(ist.state).toBe(S.Completed);
    expect(ist.runningTimers()).toEqual(['H']);
    h.fake.receive(requestText('ACK', { transport: 'TCP', toTag: ist.toTag }), TCP_PEER);
    expect(ist.state).toBe(S.Terminated);
  });

  it('no retransmission is ever sent over TCP', () => {
    h.layer.sendRequest(outgoingRequest('INVITE'), TCP_PEER, { onResponse: () => undefined });
    h.layer.sendRequest(outgoingRequest('OPTIONS', 2), TCP_PEER, { onResponse: () => undefined });
    let tx: ServerTransaction | undefined;
    h.layer.setUser({ onRequest: (_r, t) => (tx = t), onAck: () => undefined });
    h.fake.receive(requestText('INVITE', { transport: 'TCP', branch: 'z9hG4bK-tcp-srv' }), TCP_PEER);
    tx?.reply(486);
    jest.advanceTimersByTime(64 * 500 - 1);
    expect(h.fake.requests('INVITE')).toHaveLength(1);
    expect(h.fake.requests('OPTIONS')).toHaveLength(1);
    expect(h.fake.responses(486)).toHaveLength(1);
  });
});
