/**
 * Claims on wake-up (`jobsClaimAwait`, docs/redis.md "Claims on wake-up"): a worker with nothing
 * to do leaves its next claim waiting in Redis. On a connection of its own the engine sends a
 * blocking `XREAD` of the queues' wake streams (which every enqueue adds to) and, right behind
 * it, the claim script: Redis runs the claim as soon as the read returns, before it answers
 * anyone, and both answers come back together. The worker saves the round trip between hearing
 * a wake-up and claiming. To end a wait early (the caller's clock or signal) the engine adds to
 * its poke stream, which the read also watches: the claim then sees no wake-up and claims
 * nothing, so no job is left claimed behind a wait that ended.
 */
import { randomUUID } from 'node:crypto';
import type { ClaimAwaitParams, ClaimParams } from '../../backend/backend.js';
import { claimAfterWake } from '../../backend/claim-await.js';
import { REDIS_CLAIM_BLOCK_MS, REDIS_POKE_TTL_MS } from '../../core/constants.js';
import type { Job } from '../../core/job.js';
import { claimArgs, claimedJobs, claimWanted } from './claim-args.js';
import { connect, createClient, isUnavailable, unavailable } from './connection.js';
import type { Ctx } from './context.js';
import { workAwait } from './events.js';
import { jobsClaim } from './jobs-claim.js';
import { defineScripts, type ScriptClient } from './scripts.js';

/** The answer of jobs-claim.lua on wake-up: its now, the wake stream ids seen, the records. */
type WakeReply = [number, string[], unknown[][]];

/** The waiting claims of one backend: one at a time on its own connection (others wait, then claim). */
export class WakeClaimer {
  private conn: ScriptClient | null = null;
  private opening: Promise<ScriptClient> | null = null;
  private busy = false;
  private closed = false;
  /** Per queue, the id of its wake stream's newest entry as the last claim here saw it. */
  private readonly seen = new Map<string, string>();
  private readonly pokeId = randomUUID();

  constructor(private readonly ctx: Ctx) {}

  private get pokeKey(): string {
    return `${this.ctx.base}poke:${this.pokeId}`;
  }

  /** `jobsClaimAwait`: see `Backend`. */
  async claim(p: ClaimAwaitParams): Promise<Job[]> {
    if (this.busy || this.closed || !claimWanted(p)) {
      const twoSteps = {
        workAwait: (w: Parameters<typeof workAwait>[1]) => workAwait(this.ctx, w),
        jobsClaim: (c: ClaimParams) => jobsClaim(this.ctx, c),
      };
      return claimAfterWake(twoSteps, this.ctx.clock, p);
    }
    this.busy = true;
    let ended = p.signal?.aborted === true;
    let blocked: ScriptClient | null = null;
    let stuck: NodeJS.Timeout | undefined;
    let abandon: (err: Error) => void = () => undefined;
    const abandoned = new Promise<never>((_, reject) => (abandon = reject));
    abandoned.catch(() => undefined);
    const end = (): void => {
      if (ended) return;
      ended = true;
      const conn = blocked;
      if (!conn) return;
      this.poke();
      // A read that the poke does not end is on a connection gone without word (a server that
      // hangs): the wait fails now and the next one opens a new connection.
      stuck = setTimeout(() => {
        if (blocked !== conn) return;
        this.drop(conn);
        abandon(unavailable(new Error('no answer after the wait ended'), this.ctx.target));
      }, this.ctx.target.commandTimeoutMs * 2);
    };
    const cancel = this.ctx.clock.setTimeout(end, p.timeoutMs);
    p.signal?.addEventListener('abort', end, { once: true });
    try {
      const conn = await this.connection();
      for (;;) {
        if (ended) return [];
        // A queue not seen yet is claimed from at once: its wake-ups so far are unknown here.
        const block = p.queues.every((q) => this.seen.has(q));
        if (block) blocked = conn;
        const jobs = await Promise.race([this.round(conn, p, block), abandoned]);
        blocked = null;
        if (jobs.length > 0 || ended) return jobs;
      }
    } finally {
      blocked = null;
      clearTimeout(stuck);
      cancel();
      p.signal?.removeEventListener('abort', end);
      this.busy = false;
    }
  }

  /** One claim, behind a blocking read of the wake streams when `block`. */
  private async round(conn: ScriptClient, p: ClaimAwaitParams, block: boolean): Promise<Job[]> {
    const seen = p.queues.map((q) => this.seen.get(q) ?? '');
    const args = claimArgs(this.ctx.clock.now(), p, this.pokeId, seen);
    let read: Promise<unknown> = Promise.resolve();
    if (block) {
      const keys = p.queues.map((q) => `${this.ctx.base}wakes:${q}`);
      read = conn.xread('COUNT', 1, 'BLOCK', REDIS_CLAIM_BLOCK_MS, 'STREAMS', ...keys, this.pokeKey, ...seen, '0-0');
      // Sent at once, not after the read returns: Redis keeps it until then.
      read.catch(() => undefined);
    }
    let reply: string;
    try {
      [reply] = await Promise.all([conn['jobs-claim'](this.ctx.base, ...args) as Promise<string>, read]);
    } catch (err) {
      if (isUnavailable(err)) throw unavailable(err, this.ctx.target);
      throw err;
    }
    const [now, ids, rows] = JSON.parse(reply) as WakeReply;
    p.queues.forEach((q, i) => this.seen.set(q, ids[i]!));
    return claimedJobs(rows, now, p);
  }

  /** Closes `conn` and forgets it, so the next claim opens a new one. */
  private drop(conn: ScriptClient): void {
    if (this.conn === conn) {
      this.conn = null;
      this.opening = null;
    }
    conn.disconnect();
  }

  /** Ends the blocked read early (from the command connection). */
  private poke(): void {
    const key = this.pokeKey;
    this.ctx.client
      .xadd(key, 'MAXLEN', '1', '*', 'p', '1')
      .then(() => this.ctx.client.pexpire(key, REDIS_POKE_TTL_MS))
      .catch(() => undefined);
  }

  /** The connection of waiting claims, opened on first use. */
  private connection(): Promise<ScriptClient> {
    if (this.conn) return Promise.resolve(this.conn);
    this.opening ??= (async () => {
      const client = createClient(this.ctx.target, true, `gantry-claim:${this.ctx.target.prefix}`);
      try {
        await connect(client, this.ctx.target);
      } catch (err) {
        this.opening = null;
        throw err;
      }
      if (this.closed) {
        client.disconnect();
        throw unavailable(new Error('the backend is closed'), this.ctx.target);
      }
      this.conn = defineScripts(client);
      return this.conn;
    })();
    return this.opening;
  }

  /** Closes the connection; later claims wait, then claim, on the others. */
  close(): void {
    this.closed = true;
    this.conn?.disconnect();
  }
}
