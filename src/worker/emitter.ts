/** A small typed event emitter: the CLI and tests follow a worker's job outcomes through it. */

/** Removes the listener it was returned for. */
export type Unsubscribe = () => void;

/** Listeners keyed by event name; `Events` maps each name to its payload type. */
export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  /** Calls `fn` on every `event`; returns a function that removes it. */
  on<K extends keyof Events>(event: K, fn: (payload: Events[K]) => void): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as (payload: never) => void);
    return () => this.off(event, fn);
  }

  /** Calls `fn` on the next `event` only. */
  once<K extends keyof Events>(event: K, fn: (payload: Events[K]) => void): Unsubscribe {
    const off = this.on(event, (p) => {
      off();
      fn(p);
    });
    return off;
  }

  /** Removes a listener. */
  off<K extends keyof Events>(event: K, fn: (payload: Events[K]) => void): void {
    this.listeners.get(event)?.delete(fn as (payload: never) => void);
  }

  /**
   * Delivers `payload` to the listeners of `event`. A listener that throws is reported to
   * `listenerFailed`, never to the emitter's caller: a buggy printer must not fail a job.
   */
  protected emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return;
    for (const fn of [...set]) {
      try {
        (fn as (p: Events[K]) => void)(payload);
      } catch (err) {
        this.listenerFailed(err, event);
      }
    }
  }

  /** Called when a listener of `event` threw; a subclass reports it (by default it is dropped). */
  protected listenerFailed(_err: unknown, _event: keyof Events): void {}
}
