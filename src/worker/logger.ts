/** Loggers of the worker runtime: a silent default and job-bound children. */
import type { Logger } from './types.js';

const noop = (): void => {};

/** A logger that writes nothing: a library stays quiet unless given a logger. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

type WithChild = Logger & { child(bindings: Record<string, unknown>): Logger };

const hasChild = (l: Logger): l is WithChild => typeof (l as Partial<WithChild>).child === 'function';

/**
 * A logger whose every entry carries `bindings` (e.g. the job id). Uses pino's `child` when
 * the logger has one, else merges the fields into each entry.
 */
export function bindLogger(base: Logger, bindings: Record<string, unknown>): Logger {
  if (base === silentLogger) return base;
  if (hasChild(base)) return base.child(bindings);
  const merge = (obj: unknown): unknown =>
    obj !== null && typeof obj === 'object' && !(obj instanceof Error)
      ? { ...bindings, ...obj }
      : { ...bindings, msg: obj };
  return {
    debug: (obj, msg) => base.debug(merge(obj), msg),
    info: (obj, msg) => base.info(merge(obj), msg),
    warn: (obj, msg) => base.warn(merge(obj), msg),
    error: (obj, msg) => base.error(merge(obj), msg),
  };
}
