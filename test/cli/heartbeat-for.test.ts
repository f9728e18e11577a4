/** `heartbeatFor`: the heartbeat of a worker run with `--worker-ttl`, so a short TTL keeps live workers. */
import { describe, expect, it } from 'vitest';
import { heartbeatFor } from '../../src/cli/runtime.js';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_WORKER_TTL_MS, HEARTBEATS_PER_WORKER_TTL } from '../../src/core/constants.js';

describe('heartbeatFor', () => {
  it('beats several times within a short TTL', () => {
    expect(heartbeatFor(3_000)).toBe(1_000);
    expect(heartbeatFor(3_000) * HEARTBEATS_PER_WORKER_TTL).toBeLessThanOrEqual(3_000);
  });

  it('keeps the default heartbeat for the default and longer TTLs', () => {
    expect(heartbeatFor(DEFAULT_WORKER_TTL_MS)).toBe(DEFAULT_HEARTBEAT_MS);
    expect(heartbeatFor(10 * 60_000)).toBe(DEFAULT_HEARTBEAT_MS);
  });

  it('never goes below 1 ms', () => {
    expect(heartbeatFor(1)).toBe(1);
  });
});
