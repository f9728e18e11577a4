/**
 * The NATS JetStream engine: job records in a KV bucket (every write a compare-and-set),
 * dispatch through a work-queue stream with one subject and durable consumer per queue and
 * exact priority, delays in a stream read against the engine's clock, events in a stream
 * (docs/nats.md). Works on nats-server 2.9 and uses nothing newer.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nuid } from '@nats-io/transport-node';
import type { Backend, BackendCapabilities, BackendOptions } from '../../backend/backend.js';
import { backendOf, type EngineOps } from '../../backend/engine-ops.js';
import { systemClock } from '../../core/clock.js';
import { EngineUnavailableError } from '../../core/errors.js';
import { connectNats, mapError, parseNatsUrl } from './connection.js';
import { backgroundSettled, type Ctx } from './context.js';
import * as events from './events.js';
import { startIntake, type Intake } from './intake.js';
import { eventHub, wakeSubscription, type EventHub } from './events.js';
import * as admin from './jobs-admin.js';
import * as claim from './jobs-claim.js';
import * as fenced from './jobs-fenced.js';
import { jobsEnqueue } from './jobs-enqueue.js';
import * as query from './jobs-query.js';
import * as stats from './jobs-stats.js';
import { ensureLayout, NATS_SCHEMA_VERSION } from './migrate.js';
import { namesOf } from './names.js';
import { waitingBoard, waitingClose } from './waiting.js';
import { Wire } from './wire.js';
import { queuesList, queueUpdate, queueDelete } from './queues.js';
import * as schedules from './schedules.js';
import * as workers from './workers.js';

export { parseNatsUrl } from './connection.js';

/** What the NATS engine can do (see `BackendCapabilities`). */
export const NATS_CAPABILITIES: Readonly<BackendCapabilities> = {
  transactionalEnqueue: false,
  pushWakeups: true,
  eventReplay: true,
  multiProcess: true,
  localClaims: false,
  claimOrder: 'priority-fifo',
  claimOnWake: false,
};

/** The engine's state: its context with the event hub, and whether it is closing. */
type Engine = Ctx & { hub: EventHub; closing: Promise<void> | null; intake: Promise<Intake | null> | null };

/** Opening, health and closing. */
const lifecycle = {
  schemaMigrate: async (e: Engine) => {
    await ensureLayout(e.js, e.jsm, e.n, e.replicas);
    return { from: NATS_SCHEMA_VERSION, to: NATS_SCHEMA_VERSION };
  },
  healthCheck: async (e: Engine) => {
    if (e.nc.isClosed()) throw new EngineUnavailableError('the NATS backend is closed; open it again');
    await Promise.race([
      e.nc.rtt(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('NATS timeout')), 2_000).unref()),
    ]).catch(mapError);
  },
  close: (e: Engine) => {
    e.closing ??= (async () => {
      e.hub.wakeSub?.unsubscribe();
      e.hub.handOverSub?.unsubscribe();
      const intake = await e.intake;
      intake?.api.unsubscribe();
      await intake?.messages.close().catch(() => undefined);
      await Promise.race([backgroundSettled(e), new Promise((r) => setTimeout(r, 2_000).unref())]);
      waitingClose(e);
      e.wire.close();
      await e.nc.close().catch(() => undefined);
    })();
    return e.closing;
  },
};

/** Every operation (see `backendOf`). */
const OPS: EngineOps<Engine> = {
  ...lifecycle,
  ...events,
  jobsEnqueue,
  ...query,
  ...claim,
  ...fenced,
  // A process that claims also takes submissions from any NATS client (see intake.ts).
  // Its first claim returns once the intake answers, so a claiming process is a responder.
  jobsClaim: async (e: Engine, p) => {
    e.intake ??= startIntake(e).catch((err: unknown) => {
      e.intake = null;
      e.onBackgroundError?.(err);
      return null;
    });
    await e.intake;
    return claim.jobsClaim(e, p);
  },
  ...admin,
  ...stats,
  queuesList,
  queueUpdate,
  queueDelete,
  ...workers,
  ...schedules,
};

/** Opens the NATS engine at `options.url`; creates (or checks) its streams and buckets. */
export async function openNatsBackend(options: BackendOptions): Promise<Backend> {
  const target = parseNatsUrl(options.url, options.namespace);
  const clock = options.clock ?? systemClock;
  const nc = await connectNats(target);
  try {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const n = namesOf(target.prefix);
    const kv = await ensureLayout(js, jsm, n, target.replicas);
    const engine: Engine = {
      nc,
      js,
      jsm,
      kv,
      wire: new Wire(nc),
      waiting: waitingBoard(),
      n,
      clock,
      replicas: target.replicas,
      consumers: new Set(),
      knownQueues: new Set(),
      settings: new Map(),
      background: new Set(),
      held: new Map(),
      claimSeq: 0,
      claimOf: new Map(),
      claimLeft: new Map(),
      origin: nuid.next(),
      handedOverAt: new Map(),
      handOverDue: new Set(),
      hints: new Map(),
      orphanScanAt: null,
      now: () => clock.now(),
      hub: eventHub(),
      closing: null,
      intake: null,
    };
    wakeSubscription(engine);
    return backendOf({ name: 'nats', capabilities: NATS_CAPABILITIES, clock }, engine, OPS);
  } catch (err) {
    await nc.close().catch(() => undefined);
    return mapError(err);
  }
}
