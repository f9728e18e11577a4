/**
 * Smooth weighted round-robin over queues (the nginx algorithm): every pick adds each queue's
 * weight to its credit, takes the queue with the most credit and charges it the total. Over
 * any run of picks each queue gets its share by weight, interleaved, so none starves.
 */
import type { Backend } from '../backend/backend.js';
import { DEFAULT_QUEUE_WEIGHT, MAX_CLAIM_BATCH, MAX_QUEUE_WEIGHT } from '../core/constants.js';
import { ValidationError } from '../core/errors.js';
import { validateQueue } from '../core/validate.js';

interface Entry {
  name: string;
  weight: number;
  credit: number;
}

/** One claim of a round: take up to `count` jobs, from `queues` in this order. */
export interface ClaimStep {
  queue: string;
  count: number;
  /** `queue` first, then the others most owed first, so an empty queue's share is not lost. */
  queues: string[];
  /** Positions of this step's picks in the round, ascending: the order its jobs should start in. */
  picks: number[];
}

/** A queue of a worker and its weight; `null`: the queue's own (`QueueSettingsRecord.weight`). */
export interface QueueWeight {
  name: string;
  weight: number | null;
}

/**
 * Normalises the `queues` option into names and weights; throws `ValidationError`. A name
 * without a weight (a list, or `null`) takes the queue's weight when the worker starts.
 */
export function parseQueueWeights(input: Record<string, number | null> | string[]): QueueWeight[] {
  const pairs = Array.isArray(input) ? input.map((name) => [name, null] as const) : Object.entries(input);
  if (pairs.length === 0) throw new ValidationError('queues must name at least one queue');
  const seen = new Set<string>();
  return pairs.map(([name, weight]) => {
    // A name no job could be enqueued to is a mistake to say now, not a queue that stays empty.
    validateQueue(name);
    if (seen.has(name)) throw new ValidationError(`queue ${JSON.stringify(name)} is listed twice`);
    seen.add(name);
    if (weight === null) return { name, weight: null };
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 1 || weight > MAX_QUEUE_WEIGHT) {
      throw new ValidationError(
        `weight of queue ${JSON.stringify(name)} must be an integer from 1 to ${MAX_QUEUE_WEIGHT}, got ${JSON.stringify(weight)}`,
      );
    }
    return { name, weight };
  });
}

/**
 * The weights a worker uses: its own where it named one, else the queue's setting (`weights`,
 * by queue), else `DEFAULT_QUEUE_WEIGHT`.
 */
export function resolveQueueWeights(
  queues: QueueWeight[],
  weights: ReadonlyMap<string, number | null>,
): { name: string; weight: number }[] {
  return queues.map((q) => ({ name: q.name, weight: q.weight ?? weights.get(q.name) ?? DEFAULT_QUEUE_WEIGHT }));
}

/**
 * The weights a worker uses (`resolveQueueWeights`), reading the queues' settings from the
 * engine only when some queue is listed without a weight.
 */
export async function engineQueueWeights(
  backend: Pick<Backend, 'queuesList'>,
  queues: QueueWeight[],
): Promise<{ name: string; weight: number }[]> {
  if (queues.every((q) => q.weight !== null)) return resolveQueueWeights(queues, new Map());
  const settings = new Map((await backend.queuesList({ counts: false })).map((q) => [q.name, q.weight]));
  return resolveQueueWeights(queues, settings);
}

/** The round-robin state of one worker. */
export class WeightedRoundRobin {
  private readonly entries: Entry[];
  private readonly total: number;

  /** A `null` weight counts as `DEFAULT_QUEUE_WEIGHT` (see `resolveQueueWeights`). */
  constructor(queues: QueueWeight[]) {
    if (queues.length === 0) throw new ValidationError('queues must name at least one queue');
    this.entries = queues.map((q) => ({ name: q.name, weight: q.weight ?? DEFAULT_QUEUE_WEIGHT, credit: 0 }));
    this.total = this.entries.reduce((s, e) => s + e.weight, 0);
  }

  /** The next queue in turn. */
  next(): string {
    let best: Entry | undefined;
    for (const e of this.entries) {
      e.credit += e.weight;
      if (!best || e.credit > best.credit) best = e;
    }
    best!.credit -= this.total;
    return best!.name;
  }

  /**
   * Plans a claim round for `slots` free slots: one pick per slot, grouped by queue in the
   * order first picked. Each step lists the other queues after its own, most owed first.
   */
  plan(slots: number): ClaimStep[] {
    const n = Math.max(0, Math.min(Math.floor(slots), MAX_CLAIM_BATCH));
    const picks = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const q = this.next();
      const list = picks.get(q);
      if (list) list.push(i);
      else picks.set(q, [i]);
    }
    const owed = [...this.entries].sort((a, b) => b.credit + b.weight - (a.credit + a.weight)).map((e) => e.name);
    return [...picks].map(([queue, at]) => ({
      queue,
      count: at.length,
      queues: [queue, ...owed.filter((q) => q !== queue)],
      picks: at,
    }));
  }

  /** Every queue name, as configured. */
  get names(): string[] {
    return this.entries.map((e) => e.name);
  }
}
