/**
 * How the long-running commands live through an engine outage: the worker says when the engine
 * went away and came back (see `src/worker/outage.ts`); here the process keeps the loops'
 * repeated failures out of the log while that is known, and gives up after `--outage-limit`
 * when one is set, with a reason the command prints before it exits non-zero.
 */
import type { Clock } from '../core/clock.js';
import { EngineUnavailableError } from '../core/errors.js';
import { isEngineUnavailable } from '../worker/outage.js';
import type { Logger } from '../worker/types.js';
import type { Worker } from '../worker/worker.js';
import { formatDuration } from './output.js';

/** An outage as the process sees it. */
export interface OutageGuard {
  /** A logger that turns engine-unreachable warnings and errors into debug lines during an outage. */
  logger: Logger;
  /** Resolves with the reason when the process gives up (never, without a limit). */
  gaveUp: Promise<Error>;
  /** Stops watching. */
  stop(): void;
}

/** `err`, or the `err` / `error` field of a log entry. */
function errorOf(entry: unknown): unknown {
  if (entry instanceof Error) return entry;
  if (entry === null || typeof entry !== 'object') return undefined;
  const o = entry as { err?: unknown; error?: unknown };
  return o.err ?? o.error;
}

/**
 * Watches `worker` for outages. `limitMs` > 0: when one lasts that long, `gaveUp` resolves
 * with an `EngineUnavailableError` that says how long and what the last failure was.
 */
export function guardOutages(worker: Worker, base: Logger, clock: Clock, limitMs: number): OutageGuard {
  let down = false;
  let lastError: unknown;
  let cancel = (): void => {};
  let giveUp: (err: Error) => void = () => {};
  const gaveUp = new Promise<Error>((resolve) => (giveUp = resolve));
  const offs = [
    worker.on('engine:down', ({ error }) => {
      down = true;
      lastError = error;
      if (limitMs > 0) cancel = clock.setTimeout(() => giveUp(limitReached(limitMs, lastError)), limitMs);
    }),
    worker.on('engine:up', () => {
      down = false;
      cancel();
    }),
    worker.on('error', ({ error }) => {
      if (down && isEngineUnavailable(error)) lastError = error;
    }),
  ];
  const quiet =
    (level: 'warn' | 'error') =>
    (obj: unknown, msg?: string): void => {
      if (down && isEngineUnavailable(errorOf(obj))) base.debug(obj, msg);
      else base[level](obj, msg);
    };
  const logger: Logger = {
    debug: (obj, msg) => base.debug(obj, msg),
    info: (obj, msg) => base.info(obj, msg),
    warn: quiet('warn'),
    error: quiet('error'),
  };
  return {
    logger,
    gaveUp,
    stop() {
      cancel();
      for (const off of offs) off();
    },
  };
}

function limitReached(limitMs: number, lastError: unknown): EngineUnavailableError {
  const last = lastError instanceof Error ? lastError.message : String(lastError);
  return new EngineUnavailableError(
    `giving up: the engine has been unreachable for ${formatDuration(limitMs)} (--outage-limit); last error: ${last}`,
    lastError,
  );
}
