/**
 * Base of the four transaction state machines (RFC 3261 §17).
 *
 * A transaction has an `id` (its matching key, §17.1.3 / §17.2.3), the `branch` of its request, an
 * explicit state, and named timers. `transition()` is the only way to change state: it rejects moves
 * the machine's table does not allow, stops every timer the new state does not keep, and calls
 * `onEnter()` where subclasses start the new state's timers. `dispose()` terminates at once from any
 * state and is safe to call twice. Callbacks into the transaction user are wrapped so that an
 * exception thrown by them is logged and never unwinds into the state machine.
 */
import { SipError, SipRequest } from '../message';
import { errorFields, Logger } from '../transport';
import type { TransactionTransport } from './transaction-transport';
import { TransactionKind, TransactionState } from './transaction-state';
import { Clock, TimerHandle, TimerName, TimerSettings, TimerValues, timerValues } from './timers';

/** A programming error in the use of a transaction (an illegal state transition, a second sendRequest with the same branch, …). */
export class TransactionError extends SipError {}

/** What every transaction gets from the transaction layer. */
export interface TransactionContext {
  readonly transport: TransactionTransport;
  readonly clock: Clock;
  readonly settings: TimerSettings;
  readonly logger: Logger;
  /** Told about every state change (the layer uses it to index and remove transactions). */
  readonly observer?: TransactionObserver;
}

/** Receives every state change of a transaction. */
export interface TransactionObserver {
  stateChanged(transaction: Transaction, from: TransactionState, to: TransactionState): void;
}

/** The static description of a state machine: initial state, legal moves, timers each state keeps. */
export interface TransactionMachine {
  readonly initial: TransactionState;
  /** For each state, the states it may move to. Terminated is final. */
  readonly transitions: Readonly<Partial<Record<TransactionState, readonly TransactionState[]>>>;
  /** For each state, the timers that may run in it; others are stopped on entry. */
  readonly timers: Readonly<Partial<Record<TransactionState, readonly TimerName[]>>>;
}

/** Common state, timers and lifecycle of client and server transactions. */
export abstract class Transaction {
  abstract readonly kind: TransactionKind;
  private currentState: TransactionState;
  private currentReliable: boolean;
  private values: TimerValues;
  private readonly running = new Map<TimerName, TimerHandle>();

  /**
   * @param id the matching key (§17.1.3 / §17.2.3).
   * @param branch the Via branch of `request`.
   * @param reliable true over TCP: no retransmissions, Timers D/I/J/K are zero.
   */
  protected constructor(
    protected readonly ctx: TransactionContext,
    private readonly machine: TransactionMachine,
    readonly id: string,
    readonly branch: string,
    readonly request: SipRequest,
    reliable: boolean,
  ) {
    this.currentState = machine.initial;
    this.currentReliable = reliable;
    this.values = timerValues(ctx.settings, reliable);
  }

  /** The current state. */
  get state(): TransactionState {
    return this.currentState;
  }

  /** True over a reliable (connection-oriented) transport. */
  get reliable(): boolean {
    return this.currentReliable;
  }

  /** The timer values in force (depend on `reliable`). */
  get timers(): TimerValues {
    return this.values;
  }

  /** Names of the timers currently running (for tests and diagnostics). */
  runningTimers(): TimerName[] {
    return [...this.running.keys()];
  }

  /** True when the transaction is in `state` (a method, so TypeScript does not narrow `state` across calls). */
  inState(state: TransactionState): boolean {
    return this.currentState === state;
  }

  /** True once Terminated. */
  get terminated(): boolean {
    return this.currentState === TransactionState.Terminated;
  }

  /** Terminates the transaction now, from any state, without telling the peer; safe to call twice. */
  dispose(): void {
    if (this.terminated) return;
    const from = this.currentState;
    this.stopAllTimers();
    this.currentState = TransactionState.Terminated;
    this.announce(from, TransactionState.Terminated);
  }

  /**
   * Moves to `to`. Stops the timers `to` does not keep, then calls `onEnter(to, from)`.
   * @throws TransactionError when the machine does not allow `state → to`.
   */
  protected transition(to: TransactionState): void {
    const from = this.currentState;
    const allowed = this.machine.transitions[from] ?? [];
    if (!allowed.includes(to)) throw new TransactionError(`${this.kind} ${this.id}: illegal transition ${from} → ${to}`);
    this.currentState = to;
    const keep = this.machine.timers[to] ?? [];
    for (const name of [...this.running.keys()]) if (!keep.includes(name)) this.stopTimer(name);
    if (to === TransactionState.Terminated) this.stopAllTimers();
    this.ctx.logger.debug({ tx: this.id, kind: this.kind, from, to }, 'SIP transaction state change');
    if (to !== TransactionState.Terminated) this.onEnter(to, from);
    this.announce(from, to);
  }

  /** Hook: start the timers of the state just entered. */
  protected onEnter(_to: TransactionState, _from: TransactionState): void {
    // Default: no timers.
  }

  /** Hook: the transaction reached Terminated (tell the TU). */
  protected abstract onTerminated(): void;

  /**
   * Starts (or restarts) timer `name` to call `fire` after `ms` ms.
   * @throws TransactionError when the current state does not keep this timer.
   */
  protected startTimer(name: TimerName, ms: number, fire: () => void): void {
    const keep = this.machine.timers[this.currentState] ?? [];
    if (!keep.includes(name)) throw new TransactionError(`${this.kind} ${this.id}: timer ${name} not allowed in ${this.currentState}`);
    this.stopTimer(name);
    const handle = this.ctx.clock.setTimeout(() => {
      if (this.running.get(name) !== handle) return;
      this.running.delete(name);
      if (this.terminated) return;
      try {
        fire();
      } catch (err) {
        this.ctx.logger.error({ ...errorFields(err), tx: this.id, timer: name }, 'error in SIP transaction timer');
      }
    }, ms);
    this.running.set(name, handle);
  }

  /** Stops timer `name` when it runs. */
  protected stopTimer(name: TimerName): void {
    const handle = this.running.get(name);
    if (handle === undefined) return;
    this.running.delete(name);
    this.ctx.clock.clearTimeout(handle);
  }

  /** Switches timer values to another reliability (a request that fell back from TCP to UDP, §18.1.1). */
  protected setReliable(reliable: boolean): void {
    this.currentReliable = reliable;
    this.values = timerValues(this.ctx.settings, reliable);
  }

  /** Calls a transaction-user callback; an exception is logged, never propagated. */
  protected notify(what: string, callback: () => void): void {
    try {
      callback();
    } catch (err) {
      this.ctx.logger.error({ ...errorFields(err), tx: this.id, callback: what }, 'error thrown by a SIP transaction user callback');
    }
  }

  private stopAllTimers(): void {
    for (const name of [...this.running.keys()]) this.stopTimer(name);
  }

  private announce(from: TransactionState, to: TransactionState): void {
    const observer = this.ctx.observer;
    if (observer) this.notify('stateChanged', () => observer.stateChanged(this, from, to));
    if (to === TransactionState.Terminated) this.notify('onTerminated', () => this.onTerminated());
  }
}
