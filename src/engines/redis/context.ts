/** What every part of the Redis engine shares, and running one of its scripts. */
import type { Clock } from '../../core/clock.js';
import { unavailable, isUnavailable, type RedisTarget } from './connection.js';
import type { EventHub } from './event-hub.js';
import type { ScriptClient, ScriptName } from './scripts.js';
import type { WakeClaimer } from './wake-claim.js';

/** The engine's shared state. */
export interface Ctx {
  /** Commands and scripts. */
  client: ScriptClient;
  /** The namespace's base key, `{prefix}:`: every key starts with it (one hash tag). */
  base: string;
  clock: Clock;
  target: RedisTarget;
  /** Event stream reader and wake-up subscriber. */
  hub: EventHub;
  /** Claims that wait in Redis for a wake-up (`jobsClaimAwait`). */
  wakeClaim: WakeClaimer;
  /**
   * Per queue, its settings document as this process last saw it ('' for none): the defaults an
   * enqueue applies, which the enqueue script checks are still the stored ones.
   */
  queueSettingsSeen: Map<string, string>;
}

/** The base key of a prefix: the prefix is the hash tag, so a namespace is one cluster slot. */
export function baseKey(prefix: string): string {
  return `{${prefix}}:`;
}

/** Runs a script with its arguments; an unreachable Redis is `EngineUnavailableError`. */
export async function run<T>(ctx: Ctx, name: ScriptName, args: (string | number)[]): Promise<T> {
  try {
    return (await ctx.client[name](ctx.base, ...args)) as T;
  } catch (err) {
    if (isUnavailable(err)) throw unavailable(err, ctx.target);
    throw err;
  }
}

/** The clock's time as the scripts take it. */
export function nowArg(ctx: Ctx): string {
  return String(ctx.clock.now());
}

/** A refusal a script answers instead of a result: `['!unique', key, holder]`, `['!state', state]`, … */
export function refusal(reply: unknown): string[] | null {
  return Array.isArray(reply) && typeof reply[0] === 'string' && reply[0].startsWith('!') ? (reply as string[]) : null;
}
