/**
 * Batches the outcomes of attempts into `jobsComplete` / `jobsFail` calls, group-commit style:
 * outcomes that arrive in the same tick, or while a write is in flight, go in one round trip;
 * a batch of `OUTCOME_FLUSH_AT` is written at once, without waiting for the tick to end.
 * No timer is involved, so batching costs no latency and needs no clock.
 */
import type { Backend, CompleteItem, FailItem } from '../backend/backend.js';
import { MAX_CLAIM_BATCH, OUTCOME_FLUSH_AT } from '../core/constants.js';
import { writeEach } from '../core/outcome-writes.js';

interface Pending<T> {
  item: T;
  /** Resolves true when applied, false when the lease was lost (fenced). */
  resolve: (applied: boolean) => void;
  reject: (err: unknown) => void;
}

/** The outcome writer of one worker. */
export class Reporter {
  private completes: Pending<CompleteItem>[] = [];
  private fails: Pending<FailItem>[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;

  constructor(private readonly backend: Backend) {}

  /** Records a completion; resolves false when the worker no longer held the job. */
  complete(item: CompleteItem): Promise<boolean> {
    return this.add(this.completes, item);
  }

  /** Records a failure; resolves false when the worker no longer held the job. */
  fail(item: FailItem): Promise<boolean> {
    return this.add(this.fails, item);
  }

  /** Resolves when every outcome given so far is written. */
  async flush(): Promise<void> {
    while (this.flushing || this.completes.length || this.fails.length) {
      await (this.flushing ?? this.run());
    }
  }

  private add<T>(list: Pending<T>[], item: T): Promise<boolean> {
    return new Promise((resolve, reject) => {
      list.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing) return;
    if (this.completes.length + this.fails.length >= OUTCOME_FLUSH_AT) {
      void this.run();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      // A full batch may have been written meanwhile, leaving nothing.
      if (!this.flushing && (this.completes.length > 0 || this.fails.length > 0)) void this.run();
    });
  }

  private run(): Promise<void> {
    this.flushing = (async () => {
      try {
        while (this.completes.length || this.fails.length) {
          const completes = this.completes.splice(0, MAX_CLAIM_BATCH);
          const fails = this.fails.splice(0, MAX_CLAIM_BATCH);
          await Promise.all([
            write(completes, (items) => this.backend.jobsComplete({ items })),
            write(fails, (items) => this.backend.jobsFail({ items })),
          ]);
        }
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }
}

/**
 * Writes a batch; an item the engine refuses (`writeEach` writes a refused batch one item at a
 * time) rejects only its own outcome, so the others of its batch are stored.
 */
async function write<T extends { id: string }>(
  batch: Pending<T>[],
  call: (items: T[]) => Promise<{ lost: string[] }>,
): Promise<void> {
  if (batch.length === 0) return;
  const { lost, refused } = await writeEach(
    batch.map((p) => p.item),
    call,
  );
  const lostIds = new Set(lost);
  const errors = refused.length === 0 ? undefined : new Map(refused.map((r) => [r.item, r.error]));
  for (const p of batch) {
    if (errors?.has(p.item)) p.reject(errors.get(p.item));
    else p.resolve(!lostIds.has(p.item.id));
  }
}
