/**
 * Retransmission schedules and timeouts with jest fake timers (RFC 3261 §17.1.1.2 Timers A/B/D,
 * §17.1.2.2 E/F/K, §17.2.1 G/H/I and the automatic 100 Trying, §17.2.2 J; RFC 6026 L/M;
 * §13.3.1.4 2xx retransmission).
 */
import { FakeTransport, outgoingRequest, PEER, requestText, responseText } from './fake-transport.fixture';
import { InviteServerTransaction } from './invite-server';
import { ServerTransaction } from './server-transaction';
import { TransactionLayer } from './transaction-layer';
import { TransactionState } from './transaction-state';

const S = TransactionState;

describe('retransmissions and timeouts', () => {
  let fake: FakeTransport;
  let layer: TransactionLayer;
  let t0: number;

  beforeEach(() => {
    jest.useFakeTimers();
    fake = new FakeTransport();
    layer = new TransactionLayer({ transport: fake });
    t0 = Date.now();
  });

  afterEach(() => {
    layer.dispose();
    jest.useRealTimers();
  });

  const rel = (times: number[]): number[] => times.map((t) => t - t0);

  function serverTx(method: string, opts: Parameters<typeof requestText>[1] = {}): ServerTransaction {
    let tx: ServerTransaction | undefined;
    layer.setUser({ onRequest: (_r, t) => (tx = t), onAck: () => undefined });
    fake.receive(requestText(method, opts), opts.transport === 'TCP' ? { ...PEER, transport: 'TCP' } : PEER);
    if (!tx) throw new Error('no server transaction');
    return tx;
  }

  it('Timer A: INVITE resent at T1, 2T1, 4T1 … (no cap) until Timer B fires at 64*T1 with a timeout', () => {
    const onTimeout = jest.fn();
    const tx = layer.sendRequest(outgoingRequest('INVITE'), PEER, { onResponse: jest.fn(), onTimeout });
    jest.advanceTimersByTime(31_999);
    expect(rel(fake.sendTimes('INVITE'))).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(onTimeout).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(onTimeout).toHaveBeenCalledTimes(1);
    expect(tx.state).toBe(S.Terminated);
    expect(layer.stats().total).toBe(0);
  });

  it('Timer A stops on a provisional response, and Timer B no longer applies in Proceeding', () => {
    const onTimeout = jest.fn();
    const tx = layer.sendRequest(outgoingRequest('INVITE'), PEER, { onResponse: jest.fn(), onTimeout });
    jest.advanceTimersByTime(600);
    fake.respond(responseText(180, tx.branch, 'INVITE'));
    jest.advanceTimersByTime(120_000);
    expect(rel(fake.sendTimes('INVITE'))).toEqual([0, 500]);
    expect(onTimeout).not.toHaveBeenCalled();
    expect(tx.state).toBe(S.Proceeding);
  });

  it('Timer A/B follow a configured T1', () => {
    layer.dispose();
    layer = new TransactionLayer({ transport: fake, timers: { t1: 100, t2: 1000 } });
    const onTimeout = jest.fn();
    layer.sendRequest(outgoingRequest('INVITE'), PEER, { onResponse: jest.fn(), onTimeout });
    jest.advanceTimersByTime(6400);
    expect(rel(fake.sendTimes('INVITE'))).toEqual([0, 100, 300, 700, 1500, 3100, 6300]);
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it('Timer D: Completed lasts 32 s over UDP, absorbing retransmitted finals with the same ACK', () => {
    const onResponse = jest.fn();
    const tx = layer.sendRequest(outgoingRequest('INVITE'), PEER, { onResponse });
    fake.respond(responseText(486, tx.branch, 'INVITE'));
    jest.advanceTimersByTime(31_999);
    fake.respond(responseText(486, tx.branch, 'INVITE'));
    expect(fake.requests('ACK')).toHaveLength(2);
    expect(onResponse).toHaveBeenCalledTimes(1);
    expect(tx.state).toBe(S.Completed);
    jest.advanceTimersByTime(1);
    expect(tx.state).toBe(S.Terminated);
  });

  it('Timer M: the ICT stays Accepted for 64*T1 and passes every 2xx up', () => {
    const onResponse = jest.fn();
    const tx = layer.sendRequest(outgoingRequest('INVITE'), PEER, { onResponse });
    fake.respond(responseText(200, tx.branch, 'INVITE'));
    jest.advanceTimersByTime(31_999);
    fake.respond(responseText(200, tx.branch, 'INVITE'));
    expect(onResponse).toHaveBeenCalledTimes(2);
    jest.advanceTimersByTime(1);
    expect(tx.state).toBe(S.Terminated);
    expect(fake.respond(responseText(200, tx.branch, 'INVITE'))).toBe(false);
  });

  it('Timer E: non-INVITE resent at T1, 2T1, 4T1, then every T2, until Timer F at 64*T1', () => {
    const onTimeout = jest.fn();
    const tx = layer.sendRequest(outgoingRequest('OPTIONS'), PEER, { onResponse: jest.fn(), onTimeout });
    jest.advanceTimersByTime(31_999);
    expect(rel(fake.sendTimes('OPTIONS'))).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(onTimeout).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(onTimeout).toHaveBeenCalledTimes(1);
    expect(tx.state).toBe(S.Terminated);
  });

  it('Timer E after a provisional response: the next firing resets it to T2', () => {
    const onTimeout = jest.fn();
    const tx = layer.sendRequest(outgoingRequest('OPTIONS'), PEER, { onResponse: jest.fn(), onTimeout });
    jest.advanceTimersByTime(100);
    fake.respond(responseText(100, tx.branch, 'OPTIONS'));
    expect(tx.state).toBe(S.Proceeding);
    jest.advanceTimersByTime(16_400);
    expect(rel(fake.sendTimes('OPTIONS'))).toEqual([0, 500, 4500, 8500, 12500, 16500]);
    jest.advanceTimersByTime(32_000 - 16_500);
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it('Timer K: Completed lasts T4 over UDP', () => {
    const tx = layer.sendRequest(outgoingRequest('OPTIONS'), PEER, { onResponse: jest.fn() });
    fake.respond(responseText(200, tx.branch, 'OPTIONS'));
    jest.advanceTimersByTime(4999);
    expect(tx.state).toBe(S.Completed);
    jest.advanceTimersByTime(1);
    expect(tx.state).toBe(S.Terminated);
  });

  it('Timer G: a 3xx–6xx is resent at T1, 2T1, 4T1, then every T2; Timer H at 64*T1 reports the missing ACK', () => {
    const tx = serverTx('INVITE');
    const onAckTimeout = jest.fn();
    tx.delegate = { onAckTimeout };
    tx.reply(486);
    jest.advanceTimersByTime(31_999);
    expect(rel(fake.responseTimes(486))).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(onAckTimeout).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(onAckTimeout).toHaveBeenCalledTimes(1);
    expect(onAckTimeout.mock.calls[0][0].status).toBe(486);
    expect(tx.state).toBe(S.Terminated);
  });

  it('Timer G stops on the ACK; Timer I (T4) then ends Confirmed', () => {
    const tx = serverTx('INVITE');
    tx.reply(486);
    jest.advanceTimersByTime(1000);
    fake.receive(requestText('ACK', { toTag: tx.toTag }));
    expect(tx.state).toBe(S.Confirmed);
    jest.advanceTimersByTime(4999);
    expect(rel(fake.responseTimes(486))).toEqual([0, 500]);
    expect(tx.state).toBe(S.Confirmed);
    jest.advanceTimersByTime(1);
    expect(tx.state).toBe(S.Terminated);
  });

  it('2xx is retransmitted on the Timer G schedule until the ACK (§13.3.1.4); Timer L ends Accepted', () => {
    const tx = serverTx('INVITE');
    const onAckTimeout = jest.fn();
    tx.delegate = { onAckTimeout };
    tx.reply(200);
    jest.advanceTimersByTime(3600);
    expect(rel(fake.responseTimes(200))).toEqual([0, 500, 1500, 3500]);
    fake.receive(requestText('ACK', { branch: 'z9hG4bK-ack-2xx', toTag: tx.toTag }));
    jest.advanceTimersByTime(20_000);
    expect(fake.responseTimes(200)).toHaveLength(4);
    expect(tx.state).toBe(S.Accepted);
    jest.advanceTimersByTime(32_000 - 23_600);
    expect(tx.state).toBe(S.Terminated);
    expect(onAckTimeout).not.toHaveBeenCalled();
  });

  it('Timer L without an ACK for the 2xx tells the TU (it should send BYE)', () => {
    const tx = serverTx('INVITE');
    const onAckTimeout = jest.fn();
    tx.delegate = { onAckTimeout };
    tx.reply(200);
    jest.advanceTimersByTime(32_000);
    expect(onAckTimeout).toHaveBeenCalledTimes(1);
    expect(onAckTimeout.mock.calls[0][0].status).toBe(200);
    expect(tx.state).toBe(S.Terminated);
  });

  it('IST sends 100 Trying after 200 ms when the TU is silent', () => {
    serverTx('INVITE');
    jest.advanceTimersByTime(199);
    expect(fake.responses(100)).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(fake.responses(100)).toHaveLength(1);
    expect(fake.responses(100)[0].headers.get('to')).not.toContain('tag=');
  });

  it('IST sends no 100 Trying when the TU answered within 200 ms', () => {
    const tx = serverTx('INVITE');
    jest.advanceTimersByTime(50);
    tx.reply(180);
    jest.advanceTimersByTime(1000);
    expect(fake.responses(100)).toHaveLength(0);
    expect(fake.responses(180)).toHaveLength(1);
  });

  it('IST absorbs INVITE retransmissions: resends the last provisional, then the final, and nothing once Accepted', () => {
    const onRequest = jest.fn();
    let tx: ServerTransaction | undefined;
    layer.setUser({ onRequest: (r, t) => { onRequest(r); tx = t; }, onAck: () => undefined });
    fake.receive(requestText('INVITE'));
    fake.receive(requestText('INVITE'));
    expect(fake.responses(100)).toHaveLength(1); // retransmission before any answer: 100 at once
    tx?.reply(180);
    fake.receive(requestText('INVITE'));
    expect(fake.responses(180)).toHaveLength(2);
    tx?.reply(200);
    fake.receive(requestText('INVITE'));
    expect(fake.responses(200)).toHaveLength(1);
    expect(onRequest).toHaveBeenCalledTimes(1);
  });

  it('IST in Completed answers an INVITE retransmission with the final response', () => {
    const tx = serverTx('INVITE');
    tx.reply(603);
    fake.receive(requestText('INVITE'));
    expect(fake.responses(603)).toHaveLength(2);
  });

  it('NIST: retransmissions absorbed in Trying, answered in Proceeding and Completed; Timer J = 64*T1', () => {
    const tx = serverTx('OPTIONS');
    fake.receive(requestText('OPTIONS'));
    expect(fake.sent).toHaveLength(0);
    tx.reply(183);
    fake.receive(requestText('OPTIONS'));
    expect(fake.responses(183)).toHaveLength(2);
    tx.reply(200);
    fake.receive(requestText('OPTIONS'));
    expect(fake.responses(200)).toHaveLength(2);
    jest.advanceTimersByTime(31_999);
    expect(tx.state).toBe(S.Completed);
    jest.advanceTimersByTime(1);
    expect(tx.state).toBe(S.Terminated);
  });

  it('NIST never retransmits on its own', () => {
    const tx = serverTx('OPTIONS');
    tx.reply(200);
    jest.advanceTimersByTime(40_000);
    expect(fake.responses(200)).toHaveLength(1);
  });

  it('over TCP: Timer B still fires, without retransmissions', () => {
    const onTimeout = jest.fn();
    layer.sendRequest(outgoingRequest('INVITE'), { ...PEER, transport: 'TCP' }, { onResponse: jest.fn(), onTimeout });
    jest.advanceTimersByTime(32_000);
    expect(fake.sendTimes('INVITE')).toHaveLength(1);
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it('over TCP: Timer F still fires, without retransmissions', () => {
    const onTimeout = jest.fn();
    layer.sendRequest(outgoingRequest('OPTIONS'), { ...PEER, transport: 'TCP' }, { onResponse: jest.fn(), onTimeout });
    jest.advanceTimersByTime(32_000);
    expect(fake.sendTimes('OPTIONS')).toHaveLength(1);
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it('over TCP: Timer H still fires for a 3xx–6xx without ACK, without retransmissions', () => {
    const tx = serverTx('INVITE', { transport: 'TCP' }) as InviteServerTransaction;
    const onAckTimeout = jest.fn();
    tx.delegate = { onAckTimeout };
    tx.reply(486);
    jest.advanceTimersByTime(32_000);
    expect(fake.responses(486)).toHaveLength(1);
    expect(onAckTimeout).toHaveBeenCalledTimes(1);
  });
});

describe('unanswered non-INVITE request', () => {
  afterEach(() => jest.useRealTimers());

  it('a NIST the TU never answers is terminated after 64*T1 instead of leaking', () => {
    jest.useFakeTimers();
    const fake = new FakeTransport();
    const layer = new TransactionLayer({ transport: fake });
    layer.setUser({ onRequest: () => undefined, onAck: () => undefined });
    fake.receive(requestText('OPTIONS'));
    jest.advanceTimersByTime(31_999);
    expect(layer.stats().total).toBe(1);
    jest.advanceTimersByTime(1);
    expect(layer.stats().total).toBe(0);
    expect(fake.sent).toHaveLength(0);
    layer.dispose();
  });
});

describe('2xx reliability over TCP (§13.3.1.4 is end to end)', () => {
  afterEach(() => jest.useRealTimers());

  it('the 2xx is retransmitted over TCP too until the ACK arrives', () => {
    jest.useFakeTimers();
    const t0 = Date.now();
    const fake = new FakeTransport();
    const layer = new TransactionLayer({ transport: fake });
    let tx: ServerTransaction | undefined;
    layer.setUser({ onRequest: (_r, t) => (tx = t), onAck: () => undefined });
    const tcp = { ...PEER, transport: 'TCP' as const };
    fake.receive(requestText('INVITE', { transport: 'TCP' }), tcp);
    tx?.reply(200);
    jest.advanceTimersByTime(2000);
    fake.receive(requestText('ACK', { transport: 'TCP', branch: 'z9hG4bK-ack', toTag: tx?.toTag }), tcp);
    jest.advanceTimersByTime(10_000);
    expect(fake.responseTimes(200).map((t) => t - t0)).toEqual([0, 500, 1500]);
    layer.dispose();
  });
});
