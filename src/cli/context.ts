/**
 * What every command shares: the global options, opening a client on `--url`, and turning
 * flag values into validated numbers. Flags are parsed here once so commands stay short.
 */
import { Option, type Command } from 'commander';
import { Client } from '../client/client.js';
import { parseDuration } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';

/** The options every command sees (set on the program). */
export interface GlobalOptions {
  url: string;
  json: boolean;
}

/** The global options of the command being run (they may be given before or after it). */
export function globals(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<{ url: string; json?: boolean }>();
  return { url: o.url, json: o.json === true };
}

/**
 * Opens a client on the command's `--url`, runs `fn`, and closes the client even when `fn`
 * throws, so no command leaves a database handle open. Only commands that add something
 * (`create: true`) create a store that is not there: reading or operating on a mistyped SQLite
 * path says the file does not exist instead of making an empty one.
 */
export async function withClient<T>(
  cmd: Command,
  fn: (client: Client, g: GlobalOptions) => Promise<T>,
  options: { create?: boolean } = {},
): Promise<T> {
  const g = globals(cmd);
  const client = await Client.connect({ url: g.url, create: options.create === true });
  try {
    return await fn(client, g);
  } finally {
    await client.close();
  }
}

/** An option with an environment variable (and optionally a default), as docs/cli.md lists them. */
export function envOption(flags: string, description: string, env: string, defaultValue?: string): Option {
  const o = new Option(flags, description).env(env);
  return defaultValue === undefined ? o : o.default(defaultValue);
}

/** Parses a whole number flag, refusing anything else with a message naming the flag. */
export function parseIntFlag(flag: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
      throw new ValidationError(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return n;
  };
}

/** Parses a duration flag (`500ms`, `10s`, `5m`, or ms) into ms. */
export function parseDurationFlag(flag: string) {
  return (value: string): number => parseDuration(value, flag);
}

/** Parses a JSON flag value, naming the flag when the text is not JSON. */
export function parseJsonFlag(flag: string, value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch (cause) {
    throw new ValidationError(`${flag} must be JSON (e.g. '{"to":"a@b.c"}'), got ${JSON.stringify(value)}`, { cause });
  }
}

/**
 * Parses `a:3,b:1` (or `a,b`) into queue weights; a queue without a weight is `null`: it takes
 * the queue's own weight (a setting of the queue), else 1. Order is kept: it is the order in
 * which a worker fills its claims.
 */
export function parseQueues(value: string): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const part of value.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const [name, weight, extra] = part.split(':');
    const w = weight === undefined ? null : Number(weight);
    if (!name || extra !== undefined || (w !== null && (!Number.isInteger(w) || w < 1))) {
      throw new ValidationError(
        `--queues must look like "critical:6,default:3,low:1" (weights >= 1), got ${JSON.stringify(value)}`,
      );
    }
    out[name] = w;
  }
  if (Object.keys(out).length === 0) throw new ValidationError('--queues must name at least one queue');
  return out;
}

/** Splits a comma-separated flag (`--state queued,running`) into its parts. */
export function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return parts.length === 0 ? undefined : parts;
}
