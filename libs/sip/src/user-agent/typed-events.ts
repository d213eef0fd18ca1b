/**
 * A small typed event emitter whose `emit` never throws: a listener's exception is logged where it is
 * emitted, and the remaining listeners still run.
 */
import { errorFields, type Logger } from '../transport/logger';

/** Event name → listener argument tuple. */
export type EventMap = { [event: string]: unknown[] };

/** Listener of event `E` of map `M`. */
export type Listener<M extends EventMap, E extends keyof M> = (...args: M[E]) => void;

/** Typed `on`/`off`/`once`/`emit`. */
export class TypedEvents<M extends EventMap> {
  private readonly listeners = new Map<keyof M, unknown[]>();

  constructor(private readonly logger: Logger, private readonly context: object = {}) {}

  /** Add a listener. */
  on<E extends keyof M>(event: E, listener: Listener<M, E>): this {
    const list = this.listeners.get(event) ?? [];
    list.push(listener);
    this.listeners.set(event, list);
    return this;
  }

  /** Add a listener removed after its first call. */
  once<E extends keyof M>(event: E, listener: Listener<M, E>): this {
    const wrapper = ((...args: M[E]) => {
      this.off(event, wrapper);
      listener(...args);
    }) as Listener<M, E>;
    return this.on(event, wrapper);
  }

  /** Remove a listener. */
  off<E extends keyof M>(event: E, listener: Listener<M, E>): this {
    const list = this.listeners.get(event);
    if (list) {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    }
    return this;
  }

  /** Remove every listener (after the last event of an object's life). */
  removeAll(): void {
    this.listeners.clear();
  }

  /** Call the listeners of `event` in order; exceptions are logged, never thrown. */
  emit<E extends keyof M>(event: E, ...args: M[E]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        (listener as Listener<M, E>)(...args);
      } catch (err) {
        this.logger.error({ ...errorFields(err), ...this.context, event: String(event) }, 'error in SIP event listener');
      }
    }
  }
}
