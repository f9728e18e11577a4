import { describe, expect, it } from 'vitest';
import { backoffDelay, parseBackoff, DEFAULT_BACKOFF } from '../../src/core/backoff.js';
import { ValidationError } from '../../src/core/errors.js';

describe('backoff', () => {
  it('exponential doubles, caps, and jitters within [raw/2, raw]', () => {
    const p = { type: 'exponential' as const, baseMs: 1000, maxMs: 10_000, jitter: false };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(p, n))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    const j = { ...p, jitter: true };
    expect(backoffDelay(j, 3, () => 0)).toBe(2000);
    expect(backoffDelay(j, 3, () => 1)).toBe(4000);
    expect(backoffDelay(DEFAULT_BACKOFF, 1, () => 0.5)).toBe(750);
  });

  it('fixed, linear and list policies', () => {
    expect(backoffDelay({ type: 'fixed', delayMs: 250 }, 7)).toBe(250);
    expect(backoffDelay({ type: 'linear', stepMs: 100, maxMs: 250 }, 2)).toBe(200);
    expect(backoffDelay({ type: 'linear', stepMs: 100, maxMs: 250 }, 5)).toBe(250);
    const list = { type: 'list' as const, delaysMs: [10, 20, 30] };
    expect([1, 2, 3, 4].map((n) => backoffDelay(list, n))).toEqual([10, 20, 30, 30]);
  });

  it('parses shorthands and rejects bad policies', () => {
    expect(parseBackoff(500)).toEqual({ type: 'fixed', delayMs: 500 });
    expect(parseBackoff([1, 2])).toEqual({ type: 'list', delaysMs: [1, 2] });
    expect(parseBackoff(undefined)).toBe(DEFAULT_BACKOFF);
    expect(() => parseBackoff({ type: 'quadratic' })).toThrow(ValidationError);
    expect(() => parseBackoff({ type: 'fixed', delayMs: -1 })).toThrow(/delayMs/);
    expect(() => parseBackoff('soon')).toThrow(ValidationError);
  });
});
