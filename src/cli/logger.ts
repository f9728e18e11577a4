/**
 * Loggers of the long-running commands. `json` is pino (one JSON object per line, for log
 * shippers); `pretty` is one readable line per entry, for a terminal. Both write to stderr so
 * stdout stays for the command's own output.
 */
import { ValidationError } from '../core/errors.js';
import type { Logger } from '../worker/types.js';

/** Log levels, lowest first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
/** A log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];
/** Log formats. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
/** A log format. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Checks a `--log-level` value. */
export function parseLogLevel(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new ValidationError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as LogLevel;
}

/** Checks a `--log-format` value. */
export function parseLogFormat(value: string): LogFormat {
  if (!(LOG_FORMATS as readonly string[]).includes(value)) {
    throw new ValidationError(`--log-format must be one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as LogFormat;
}

/** One readable line: `WARN  message {fields}`. */
function prettyLine(level: string, obj: unknown, msg?: string): string {
  if (obj instanceof Error)
    return `${level.toUpperCase().padEnd(5)} ${msg ?? obj.message}${msg ? `: ${obj.message}` : ''}`;
  if (typeof obj === 'string') return `${level.toUpperCase().padEnd(5)} ${obj}`;
  const fields = obj && typeof obj === 'object' ? { ...(obj as Record<string, unknown>) } : {};
  // Adapters (e.g. Fastify's) repeat the message in a `msg` field.
  if (typeof fields.msg === 'string') msg ??= fields.msg;
  delete fields.msg;
  const err = fields.err ?? fields.error;
  delete fields.err;
  delete fields.error;
  const errText = err instanceof Error ? `: ${err.message}` : err !== undefined ? `: ${String(err)}` : '';
  const rest = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  return `${level.toUpperCase().padEnd(5)} ${msg ?? ''}${errText}${rest}`;
}

/** The slice of a pino logger Gantry uses. */
interface PinoLike {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): PinoLike;
}

/** Adapts pino to `Logger`, keeping `child` so job loggers carry their bindings cheaply. */
function wrapPino(l: PinoLike): Logger & { child(bindings: Record<string, unknown>): Logger } {
  const o = (obj: unknown): object => (obj !== null && typeof obj === 'object' ? obj : { msg: obj });
  return {
    debug: (obj, msg) => l.debug(o(obj), msg),
    info: (obj, msg) => l.info(o(obj), msg),
    warn: (obj, msg) => l.warn(o(obj), msg),
    error: (obj, msg) => l.error(o(obj), msg),
    child: (bindings) => wrapPino(l.child(bindings)),
  };
}

/** Makes the logger of a long-running command (pino is loaded only when asked for). */
export async function makeLogger(level: LogLevel, format: LogFormat): Promise<Logger> {
  if (format === 'json') {
    const { pino } = await import('pino');
    return wrapPino(pino({ level, base: { pid: process.pid } }, pino.destination(2)));
  }
  const min = LOG_LEVELS.indexOf(level);
  const at =
    (l: LogLevel) =>
    (obj: unknown, msg?: string): void => {
      if (LOG_LEVELS.indexOf(l) >= min) process.stderr.write(`${prettyLine(l, obj, msg)}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
