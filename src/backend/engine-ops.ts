/**
 * How an engine is assembled: each `Backend` method is an operation on the engine's own context
 * (its connection, statements, clock), written as `(ctx, params) => result` in the module that
 * holds its kind of work, under the method's own name. `backendOf` binds them into a `Backend`.
 */
import type { Backend, BackendCapabilities } from './backend.js';
import type { Clock } from '../core/clock.js';
import { claimAfterWake } from './claim-await.js';

/** The methods of `Backend`, without its descriptive fields. */
export type BackendMethod = Exclude<keyof Backend, 'name' | 'capabilities' | 'clock'>;

/** One operation: the method's one params object after the engine's context; it may answer synchronously. */
export type EngineOp<C, K extends BackendMethod> = (
  ctx: C,
  params: Parameters<Backend[K]>[0],
) => ReturnType<Backend[K]> | Awaited<ReturnType<Backend[K]>>;

/**
 * Every operation of an engine, by method name. `jobsClaimAwait` may be left out: then it waits
 * with the engine's `workAwait` and claims with its `jobsClaim` (`claimAfterWake`).
 */
export type EngineOps<C> = { [K in Exclude<BackendMethod, 'jobsClaimAwait'>]: EngineOp<C, K> } & {
  jobsClaimAwait?: EngineOp<C, 'jobsClaimAwait'>;
};

/** What an engine says about itself. */
export interface EngineInfo {
  name: string;
  capabilities: BackendCapabilities;
  clock: Clock;
}

/**
 * A `Backend` whose methods call `ops` with `ctx`. `around`, when given, runs every operation
 * but `close` (e.g. SQLite's wait for another process's lock); each method answers a promise.
 */
export function backendOf<C>(
  info: EngineInfo,
  ctx: C,
  ops: EngineOps<C>,
  around?: <T>(op: () => T) => T | Promise<T>,
): Backend {
  const backend: Record<string, unknown> = { ...info };
  for (const name of Object.keys(ops) as BackendMethod[]) {
    const op = ops[name] as (ctx: C, params: unknown) => unknown;
    backend[name] =
      around && name !== 'close'
        ? async (params: unknown) => around(() => op(ctx, params))
        : async (params: unknown) => op(ctx, params);
  }
  const built = backend as unknown as Backend;
  if (!ops.jobsClaimAwait) built.jobsClaimAwait = (params) => claimAfterWake(built, info.clock, params);
  return built;
}

/**
 * Operations written on a part of the engine's state (its store, its SQL context), turned into
 * operations on the whole engine: `ctxOf` picks the part.
 */
export function opsOn<E, C, T extends Record<string, (ctx: C, p: never) => unknown>>(
  ctxOf: (engine: E) => C,
  ops: T,
): { [K in keyof T]: (engine: E, p: Parameters<T[K]>[1]) => ReturnType<T[K]> } {
  const out: Record<string, unknown> = {};
  for (const [name, op] of Object.entries(ops)) out[name] = (e: E, p: never) => op(ctxOf(e), p);
  return out as never;
}
