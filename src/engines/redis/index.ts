/**
 * The Redis engine: every operation one Lua script with `now` passed in (lua/redis/), hashes for
 * job records, sorted sets for ready (priority, runAt, id), delayed, running and finished jobs,
 * a stream for events and a channel for wake-ups, every key of a namespace under one hash tag so
 * it works on Redis Cluster (docs/redis.md). Calls fail at once with `EngineUnavailableError`
 * while Redis is unreachable, and the connections come back by themselves.
 */
import type { Cluster, Redis } from 'ioredis';
import type { Backend, BackendCapabilities, BackendOptions } from '../../backend/backend.js';
import { backendOf, opsOn, type EngineOps } from '../../backend/engine-ops.js';
import { systemClock } from '../../core/clock.js';
import { connect, createClient, isUnavailable, parseRedisUrl, unavailable, type RedisTarget } from './connection.js';
import { baseKey, run, type Ctx } from './context.js';
import { EventHub } from './event-hub.js';
import * as events from './events.js';
import * as admin from './jobs-admin.js';
import * as claim from './jobs-claim.js';
import { jobsEnqueue } from './jobs-enqueue.js';
import * as query from './jobs-query.js';
import * as stats from './jobs-stats.js';
import * as queues from './queues.js';
import * as schedules from './schedules.js';
import { defineScripts } from './scripts.js';
import { WakeClaimer } from './wake-claim.js';
import * as workers from './workers.js';

export { parseRedisUrl, type RedisTarget } from './connection.js';

/** What the Redis engine can do (see `BackendCapabilities`). */
export const REDIS_CAPABILITIES: Readonly<BackendCapabilities> = {
  transactionalEnqueue: false,
  pushWakeups: true,
  eventReplay: true,
  multiProcess: true,
  localClaims: false,
  claimOrder: 'total',
  claimOnWake: true,
};

/** The version of the key layout; stored at `{prefix}:version`. */
const LAYOUT_VERSION = 1;

/** A Redis `Backend`, with its client and prefix for tools and tests. */
export type RedisBackend = Backend & {
  /** The namespace's key prefix (its hash tag). */
  readonly prefix: string;
  /** The base key every key of the namespace starts with, `{prefix}:`. */
  readonly base: string;
  /** The command connection (tests and tools may run their own commands on it). */
  readonly client: Redis | Cluster;
};

interface Engine {
  ctx: Ctx;
  closing: Promise<void> | null;
}

async function guarded<T>(t: RedisTarget, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (isUnavailable(err)) throw unavailable(err, t);
    throw err;
  }
}

/** Opening, health and closing. */
const lifecycle = {
  schemaMigrate: async (e: Engine) => {
    const key = `${e.ctx.base}version`;
    const from = Number((await guarded(e.ctx.target, () => e.ctx.client.get(key))) ?? 0);
    if (from < LAYOUT_VERSION) await guarded(e.ctx.target, () => e.ctx.client.set(key, String(LAYOUT_VERSION)));
    return { from, to: Math.max(from, LAYOUT_VERSION) };
  },
  healthCheck: async (e: Engine) => {
    await run(e.ctx, 'events-top', []);
  },
  close: (e: Engine) => {
    e.closing ??= (async () => {
      e.ctx.hub.close();
      e.ctx.wakeClaim.close();
      await e.ctx.client.quit().catch(() => e.ctx.client.disconnect());
    })();
    return e.closing;
  },
};

/** Every operation (see `backendOf`). */
const OPS: EngineOps<Engine> = {
  ...lifecycle,
  ...opsOn((e: Engine) => e.ctx, {
    ...events,
    jobsEnqueue,
    ...query,
    ...claim,
    ...admin,
    ...stats,
    ...queues,
    ...workers,
    ...schedules,
  }),
  jobsClaimAwait: (e, p) => e.ctx.wakeClaim.claim(p),
};

/**
 * Opens the Redis engine for a `redis://` or `rediss://` URL. The key prefix is
 * `options.namespace`, else the URL's `?prefix=`, else `gantry`.
 */
export async function openRedisBackend(options: BackendOptions): Promise<RedisBackend> {
  const target = parseRedisUrl(options.url, options.namespace);
  const clock = options.clock ?? systemClock;
  const base = baseKey(target.prefix);
  const client = createClient(target);
  const sub = createClient(target, true);
  const reader = createClient(target, true);
  const scripts = defineScripts(client);
  const ctx = { client: scripts, base, clock, target, queueSettingsSeen: new Map() } as Ctx;
  const top = async (): Promise<number> => Number(await run<string>(ctx, 'events-top', []));
  ctx.hub = new EventHub(clock, `${base}events`, `${base}wake`, sub, reader, top, client);
  ctx.wakeClaim = new WakeClaimer(ctx);
  const engine: Engine = { ctx, closing: null };
  const backend = backendOf({ name: 'redis', capabilities: REDIS_CAPABILITIES, clock }, engine, OPS);
  try {
    await connect(client, target);
    await connect(sub, target);
    await connect(reader, target);
    ctx.hub.start();
    if (options.migrate !== false) await backend.schemaMigrate();
  } catch (err) {
    await backend.close().catch(() => undefined);
    throw isUnavailable(err) ? unavailable(err, target) : err;
  }
  return Object.assign(backend, { prefix: target.prefix, base, client });
}
