/**
 * A minimal typed event hub: listeners per event name with the payload type of an event map, and
 * errors thrown by a listener caught where the event is emitted (logged, never propagated into the
 * media path that emitted it).
 */
import { type MediaLogger, errorFields } from './media-logger';

/** Listener of one event of map `M`. */
export type Listener<M, K extends keyof M> = (event: M[K]) => void;

/** Typed listeners of the events of map `M` (event name → payload). */
export class TypedEvents<M> {
  private readonly listeners = new Map<keyof M, Set<(event: never) => void>>();

  /** @param logger receives the errors thrown by listeners. */
  constructor(private readonly logger: MediaLogger) {}

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof M>(name: K, listener: Listener<M, K>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as (event: never) => void);
    return () => this.off(name, listener);
  }

  /** Removes a listener added with `on()`; unknown listeners are ignored. */
  off<K extends keyof M>(name: K, listener: Listener<M, K>): void {
    this.listeners.get(name)?.delete(listener as (event: never) => void);
  }

  /** Calls every listener of `name`; a listener's exception is logged and the others still run. */
  emit<K extends keyof M>(name: K, event: M[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<M, K>)(event);
      } catch (err) {
        this.logger.error({ event: String(name), ...errorFields(err) }, 'media event listener threw');
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners.clear();
  }
}
