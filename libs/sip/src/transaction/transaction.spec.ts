/** The state-machine base (explicit transitions, timers owned by states, dispose) — RFC 3261 §17. */
import { parseMessage, SipRequest } from '../message';
import { silentLogger } from '../transport';
import { FakeTransport, PEER, requestText } from './fake-transport.fixture';
import { InviteServerTransaction } from './invite-server';
import { TransactionContext, TransactionError } from './transaction';
import { TransactionState } from './transaction-state';
import { systemClock, timerSettings } from './timers';

const S = TransactionState;

/** An IST whose protected machinery is reachable from the test. */
class ProbeIst extends InviteServerTransaction {
  move(to: TransactionState): void {
    this.transition(to);
  }
  arm(name: 'G' | 'I', fire: () => void): void {
    this.startTimer(name, 10, fire);
  }
}

function ctx(logger = silentLogger): TransactionContext {
  return { transport: new FakeTransport(), clock: systemClock, settings: timerSettings(), logger };
}

function probe(c = ctx()): ProbeIst {
  const req = parseMessage(Buffer.from(requestText('INVITE'))) as SipRequest;
  return new ProbeIst(c, 'id', 'z9hG4bK-peer-1', req, PEER);
}

describe('Transaction base', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('rejects a transition its table does not allow', () => {
    const tx = probe();
    expect(() => tx.move(S.Confirmed)).toThrow(TransactionError);
    expect(() => tx.move(S.Calling)).toThrow(/illegal transition Proceeding → Calling/);
    expect(tx.state).toBe(S.Proceeding);
    tx.dispose();
  });

  it('stops the timers the new state does not keep and starts the new state\'s', () => {
    const tx = probe();
    expect(tx.runningTimers()).toEqual(['Trying100']);
    tx.move(S.Completed);
    expect(tx.runningTimers().sort()).toEqual(['G', 'H']);
    tx.move(S.Confirmed);
    expect(tx.runningTimers()).toEqual(['I']);
    tx.dispose();
  });

  it('refuses to start a timer its state does not keep', () => {
    const tx = probe();
    expect(() => tx.arm('I', () => undefined)).toThrow(/timer I not allowed in Proceeding/);
    tx.dispose();
  });

  it('dispose() terminates once, stops every timer, and is safe twice', () => {
    const onTerminated = jest.fn();
    const tx = probe();
    tx.delegate = { onTerminated };
    tx.dispose();
    tx.dispose();
    expect(tx.state).toBe(S.Terminated);
    expect(tx.runningTimers()).toEqual([]);
    expect(onTerminated).toHaveBeenCalledTimes(1);
    expect(() => tx.move(S.Completed)).toThrow(TransactionError);
  });

  it('an exception in a timer callback or a TU callback is logged, not thrown', () => {
    const logger = { ...silentLogger, error: jest.fn() };
    const tx = probe(ctx(logger));
    tx.reply(486);
    tx.arm('G', () => {
      throw new Error('boom');
    });
    expect(() => jest.advanceTimersByTime(10)).not.toThrow();
    tx.delegate = {
      onAckTimeout: () => {
        throw new Error('TU boom');
      },
    };
    expect(() => jest.advanceTimersByTime(64 * 500)).not.toThrow();
    expect(tx.state).toBe(S.Terminated);
    expect(logger.error).toHaveBeenCalledTimes(2);
  });
});
