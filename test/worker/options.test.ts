/** Worker options: the prefetch default follows the engine's `localClaims` capability. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_PREFETCH, DEFAULT_PREFETCH } from '../../src/core/constants.js';
import { ValidationError } from '../../src/core/errors.js';
import { prefetchFor, resolveWorkerOptions } from '../../src/worker/options.js';

const networked = { localClaims: false };
const local = { localClaims: true };

describe('worker options: prefetch', () => {
  it('defaults to the larger of the concurrency and the engine kind’s default', () => {
    expect(prefetchFor(resolveWorkerOptions({ concurrency: 10 }), networked)).toBe(DEFAULT_PREFETCH);
    expect(prefetchFor(resolveWorkerOptions({ concurrency: 10 }), local)).toBe(DEFAULT_LOCAL_PREFETCH);
    expect(prefetchFor(resolveWorkerOptions({ concurrency: 800 }), networked)).toBe(800);
    expect(prefetchFor(resolveWorkerOptions({ concurrency: 200 }), local)).toBe(200);
  });

  it('takes the option as given, 0 included, and refuses what is out of range', () => {
    expect(prefetchFor(resolveWorkerOptions({ prefetch: 0 }), networked)).toBe(0);
    expect(prefetchFor(resolveWorkerOptions({ prefetch: 300 }), local)).toBe(300);
    expect(() => resolveWorkerOptions({ prefetch: 1001 })).toThrow(ValidationError);
    expect(() => resolveWorkerOptions({ prefetch: -1 })).toThrow(ValidationError);
  });
});
