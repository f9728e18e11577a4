/**
 * Prometheus metrics (prom-client, one Registry per server so several servers can live in one
 * process). Job counters and histograms are fed from the engine's event stream, so they count
 * what every worker in the cluster does; queue depth and workers are read from the engine at
 * scrape time.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Backend } from '../backend/backend.js';
import type { GantryEvent } from '../core/events.js';
import { JOB_STATES } from '../core/job.js';
import type { EngineHandle } from './engine.js';

/** Jobs remembered between their start and their end, to time them (oldest dropped beyond this). */
const MAX_TRACKED = 50_000;

/** Minutes of throughput kept for `/stats`. */
const THROUGHPUT_MINUTES = 60;

const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

interface Minute {
  enqueued: number;
  completed: number;
  failed: number;
  retried: number;
}

/** A bounded map: inserting past `max` forgets the oldest entry. */
function remember(map: Map<string, number>, key: string, value: number): void {
  map.set(key, value);
  if (map.size > MAX_TRACKED) map.delete(map.keys().next().value as string);
}

/** The server's metrics. */
export class ServerMetrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry();
  private readonly counters: Record<
    'enqueued' | 'started' | 'completed' | 'failed' | 'retried',
    Counter<'queue' | 'type'>
  >;
  private readonly duration: Histogram<'queue' | 'type' | 'outcome'>;
  private readonly wait: Histogram<'queue' | 'type'>;
  private readonly startedAt = new Map<string, number>();
  private readonly dueAt = new Map<string, number>();
  private readonly minutes = new Map<number, Minute>();
  private unsubscribe: (() => Promise<void>) | null = null;
  private stopped = false;

  constructor(private readonly engine: EngineHandle) {
    const r = [this.registry];
    const counter = (name: string, help: string) =>
      new Counter({ name: `gantry_jobs_${name}_total`, help, labelNames: ['queue', 'type'] as const, registers: r });
    this.counters = {
      enqueued: counter('enqueued', 'Jobs enqueued (new jobs and operator retries)'),
      started: counter('started', 'Attempts started (claims)'),
      completed: counter('completed', 'Jobs completed'),
      failed: counter('failed', 'Jobs failed for good (dead letter)'),
      retried: counter('retried', 'Failed attempts that will be retried'),
    };
    this.duration = new Histogram({
      name: 'gantry_job_duration_seconds',
      help: 'Run time of an attempt, from start to its end (outcome completed, failed or retrying)',
      labelNames: ['queue', 'type', 'outcome'] as const,
      buckets: DURATION_BUCKETS,
      registers: r,
    });
    this.wait = new Histogram({
      name: 'gantry_job_wait_seconds',
      help: 'Enqueue-to-start latency of jobs due at enqueue (first attempt)',
      labelNames: ['queue', 'type'] as const,
      buckets: DURATION_BUCKETS,
      registers: r,
    });
    this.scrapeGauges();
    collectDefaultMetrics({ register: this.registry });
  }

  /** Gauges read from the engine on every scrape; an unreachable engine shows as `gantry_engine_up 0`. */
  private scrapeGauges(): void {
    const engine = this.engine;
    const up = new Gauge({ name: 'gantry_engine_up', help: '1 when the engine answers', registers: [this.registry] });
    const depth = new Gauge({
      name: 'gantry_queue_jobs',
      help: 'Jobs by queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
    });
    const workers = new Gauge({
      name: 'gantry_workers_alive',
      help: 'Registered workers by kind',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      async collect() {
        // One collect for the three gauges, so a scrape asks the engine once per kind of data.
        depth.reset();
        this.reset();
        try {
          const client = await engine.get();
          const [counts, list] = await Promise.all([client.counts(), client.workers()]);
          for (const [queue, c] of Object.entries(counts))
            for (const s of JOB_STATES) depth.set({ queue, state: s }, c[s] ?? 0);
          const kinds = new Map<string, number>();
          for (const w of list) kinds.set(w.kind ?? 'node', (kinds.get(w.kind ?? 'node') ?? 0) + 1);
          for (const [kind, n] of kinds) this.set({ kind }, n);
          up.set(1);
        } catch {
          up.set(0);
        }
      },
    });
    void workers;
  }

  /** Subscribes to the engine's events once it is open. */
  start(): void {
    this.engine.onOpen((client) => {
      if (this.stopped) return;
      void this.subscribe(client.backend);
    });
  }

  private async subscribe(backend: Backend): Promise<void> {
    try {
      const unsub = await backend.eventsSubscribe({ onEvent: (e) => this.record(e) });
      if (this.stopped) await unsub();
      else this.unsubscribe = unsub;
    } catch {
      // Counters stay where they are; gauges still report the engine's state on scrape.
    }
  }

  /** Counts one event. */
  record(e: GantryEvent): void {
    if (!e.jobId) return;
    const labels = { queue: e.queue ?? '', type: e.jobType ?? '' };
    switch (e.type) {
      case 'job.enqueued':
        this.counters.enqueued.inc(labels);
        this.bump(e.at, 'enqueued');
        if (e.state === 'queued') remember(this.dueAt, e.jobId, e.at);
        break;
      case 'job.started': {
        this.counters.started.inc(labels);
        remember(this.startedAt, e.jobId, e.at);
        const due = this.dueAt.get(e.jobId);
        if (due !== undefined) this.wait.observe(labels, Math.max(0, e.at - due) / 1000);
        this.dueAt.delete(e.jobId);
        break;
      }
      case 'job.completed':
        this.counters.completed.inc(labels);
        this.bump(e.at, 'completed');
        this.finish(e, 'completed');
        break;
      case 'job.failed':
        this.counters.failed.inc(labels);
        this.bump(e.at, 'failed');
        this.finish(e, 'failed');
        break;
      case 'job.retrying':
        this.counters.retried.inc(labels);
        this.bump(e.at, 'retried');
        this.finish(e, 'retrying');
        break;
      case 'job.cancelled':
      case 'job.expired':
      case 'job.deleted':
        this.startedAt.delete(e.jobId);
        this.dueAt.delete(e.jobId);
        break;
    }
  }

  private finish(e: GantryEvent, outcome: string): void {
    const started = this.startedAt.get(e.jobId!);
    if (started === undefined) return;
    this.startedAt.delete(e.jobId!);
    this.duration.observe({ queue: e.queue ?? '', type: e.jobType ?? '', outcome }, Math.max(0, e.at - started) / 1000);
  }

  private bump(at: number, field: keyof Minute): void {
    const minute = Math.floor(at / 60_000) * 60_000;
    let m = this.minutes.get(minute);
    if (!m) {
      m = { enqueued: 0, completed: 0, failed: 0, retried: 0 };
      this.minutes.set(minute, m);
      for (const k of this.minutes.keys()) if (k <= minute - THROUGHPUT_MINUTES * 60_000) this.minutes.delete(k);
    }
    m[field]++;
  }

  /** Per-minute counts of the last hour seen by this server, oldest first. */
  throughput(): { minute: string; enqueued: number; completed: number; failed: number; retried: number }[] {
    return [...this.minutes.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([minute, m]) => ({ minute: new Date(minute).toISOString(), ...m }));
  }

  /** Renders the Prometheus text. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Ends the event subscription. */
  async stop(): Promise<void> {
    this.stopped = true;
    const u = this.unsubscribe;
    this.unsubscribe = null;
    await u?.().catch(() => undefined);
  }
}
