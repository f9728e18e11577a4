/**
 * How one attempt is cut short (cancel, lost lease, shutdown, timeout). It has the two members
 * of an `AbortController` the worker uses, `abort(reason)` and `signal`, but makes the
 * `AbortController` only when a handler reads `ctx.signal`: creating one per job (and listening
 * on it) was about a tenth of the worker's own time per job when jobs are short.
 */
export class AttemptAbort {
  private controller: AbortController | null = null;
  private listener: ((reason: unknown) => void) | null = null;
  /** True once `abort` was called. */
  aborted = false;
  /** The reason given to `abort`. */
  reason: unknown = undefined;

  /** The signal handed to the handler; aborted already when the attempt was. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  /** Cuts the attempt short with `reason`; later calls do nothing. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.listener?.(reason);
  }

  /** Calls `fn` with the reason when the attempt is aborted (at once if it is already). */
  onAbort(fn: (reason: unknown) => void): void {
    this.listener = fn;
    if (this.aborted) fn(this.reason);
  }
}
