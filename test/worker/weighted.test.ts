import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { WeightedRoundRobin, parseQueueWeights, resolveQueueWeights } from '../../src/worker/weighted.js';

const count = (picks: string[]): Record<string, number> =>
  picks.reduce<Record<string, number>>((acc, q) => ({ ...acc, [q]: (acc[q] ?? 0) + 1 }), {});

describe('weighted round-robin', () => {
  it('gives each queue its share by weight in every full cycle, interleaved', () => {
    const rr = new WeightedRoundRobin(parseQueueWeights({ critical: 6, default: 3, low: 1 }));
    const picks = Array.from({ length: 100 }, () => rr.next());
    expect(count(picks)).toEqual({ critical: 60, default: 30, low: 10 });
    // Smooth: within the first cycle of 10 every queue appears, critical never 6 in a row.
    const first = picks.slice(0, 10);
    expect(new Set(first)).toEqual(new Set(['critical', 'default', 'low']));
    expect(first.join(',')).not.toContain('critical,critical,critical,critical');
  });

  it('never starves a weight-1 queue', () => {
    const rr = new WeightedRoundRobin(parseQueueWeights({ big: 1000, small: 1 }));
    const picks = Array.from({ length: 1001 }, () => rr.next());
    expect(count(picks)).toEqual({ big: 1000, small: 1 });
  });

  it('plans a claim round: one pick per slot, grouped, each step falling back to the others', () => {
    const rr = new WeightedRoundRobin(parseQueueWeights({ a: 3, b: 1 }));
    const plan = rr.plan(8);
    expect(plan.map((s) => [s.queue, s.count])).toEqual([
      ['a', 6],
      ['b', 2],
    ]);
    expect(plan[0]!.queues).toEqual(['a', 'b']);
    expect(plan[1]!.queues).toEqual(['b', 'a']);
    expect(rr.plan(0)).toEqual([]);
  });

  it('accepts a list of names (the queue’s weight, else 1) and refuses bad weights', () => {
    const named = parseQueueWeights(['x', 'y']);
    expect(named).toEqual([
      { name: 'x', weight: null },
      { name: 'y', weight: null },
    ]);
    expect(resolveQueueWeights(named, new Map([['x', 5]]))).toEqual([
      { name: 'x', weight: 5 },
      { name: 'y', weight: 1 },
    ]);
    // A weight the worker names wins over the queue's.
    expect(resolveQueueWeights(parseQueueWeights({ x: 2, y: null }), new Map([['x', 5]]))).toEqual([
      { name: 'x', weight: 2 },
      { name: 'y', weight: 1 },
    ]);
    expect(() => parseQueueWeights({ x: 0 })).toThrow(ValidationError);
    expect(() => parseQueueWeights({ x: 1.5 })).toThrow(/integer/);
    expect(() => parseQueueWeights([])).toThrow(/at least one/);
    expect(() => parseQueueWeights(['x', 'x'])).toThrow(/twice/);
    expect(() => parseQueueWeights(['bad name'])).toThrow(ValidationError);
    expect(() => parseQueueWeights({ 'a.b': 2 })).toThrow(/letters, digits/);
  });
});
