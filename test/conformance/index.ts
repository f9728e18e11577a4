/**
 * The conformance suite: the semantics of docs/architecture.md stated once and run unchanged
 * against every engine. An engine is done when all of it passes.
 *
 * Usage in an engine's test file:
 *   runConformance('sqlite', (clock) => openSqliteBackend({ url: …, clock }));
 *
 * Every test gets a fresh backend from the factory (its own file, schema or prefix) on a
 * `ManualClock`. Each group lives in its own file here and is listed in GROUPS.
 */
import { describe } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import type { ManualClock } from '../../src/core/clock.js';
import { backendClaimGroup } from './backend-claim.js';
import { backendClaimAwaitGroup } from './backend-claim-await.js';
import { backendEnqueueGroup } from './backend-enqueue.js';
import { backendEventsGroup } from './backend-events.js';
import { backendPrefetchGroup } from './backend-prefetch.js';
import { backendQueueDeleteGroup } from './backend-queue-delete.js';
import { backendRegistryGroup } from './backend-registry.js';
import { deleteOnCompleteGroup } from './delete-on-complete.js';
import { backendLifecycleGroup } from './backend-lifecycle.js';
import { operatorReadsGroup } from './operator-reads.js';
import { queueDefaultsGroup } from './queue-defaults.js';
import { limitsGroup } from './limits.js';
import { schedulesFiringGroup } from './schedules-firing.js';
import { schedulesPoliciesGroup } from './schedules-policies.js';
import { runtimeClaims } from './runtime-claims.js';
import { runtimeFailures } from './runtime-failures.js';
import { runtimeLifecycle } from './runtime-lifecycle.js';
import { runtimeRecovery } from './runtime-recovery.js';

/** Opens a fresh, empty backend on the given clock. */
export type ConformanceFactory = (clock: ManualClock) => Promise<Backend>;

/** A group of conformance cases: registers `describe`/`it` blocks. */
export type ConformanceGroup = (factory: ConformanceFactory) => void;

/** Every group, in order. Add a new group file's export here. */
const GROUPS: ConformanceGroup[] = [
  backendEnqueueGroup,
  backendClaimGroup,
  backendClaimAwaitGroup,
  backendPrefetchGroup,
  backendLifecycleGroup,
  backendEventsGroup,
  backendRegistryGroup,
  backendQueueDeleteGroup,
  runtimeClaims,
  runtimeFailures,
  runtimeLifecycle,
  runtimeRecovery,
  deleteOnCompleteGroup,
  operatorReadsGroup,
  limitsGroup,
  queueDefaultsGroup,
  schedulesFiringGroup,
  schedulesPoliciesGroup,
];

/** Runs the whole conformance suite against one engine. */
export function runConformance(engine: string, factory: ConformanceFactory): void {
  describe(`conformance: ${engine}`, () => {
    for (const group of GROUPS) group(factory);
  });
}
