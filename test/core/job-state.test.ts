import { describe, expect, it } from 'vitest';
import { InvalidTransitionError } from '../../src/core/errors.js';
import { JOB_STATES, TRANSITIONS, assertTransition, canTransition, statesInto } from '../../src/core/job.js';

describe('job state machine', () => {
  it('allows exactly the transitions of docs/architecture.md, "States"', () => {
    const allowed = JOB_STATES.flatMap((from) => TRANSITIONS[from].map((to) => `${from}>${to}`)).sort();
    expect(allowed).toEqual(
      [
        'scheduled>queued',
        'scheduled>expired',
        'scheduled>cancelled',
        'queued>running',
        'queued>expired',
        'queued>cancelled',
        'running>completed',
        'running>retrying',
        'running>failed',
        'running>cancelled',
        'retrying>queued',
        'retrying>expired',
        'retrying>cancelled',
        'completed>queued',
        'failed>queued',
        'cancelled>queued',
        'expired>queued',
      ].sort(),
    );
  });

  it('rejects any other transition with a coded error', () => {
    expect(canTransition('completed', 'running')).toBe(false);
    expect(() => assertTransition('j1', 'completed', 'running')).toThrow(InvalidTransitionError);
    try {
      assertTransition('j1', 'queued', 'completed');
    } catch (e) {
      expect((e as InvalidTransitionError).code).toBe('INVALID_TRANSITION');
      expect((e as Error).message).toContain('queued to completed');
    }
  });

  it('lists the states a target can be reached from', () => {
    expect(statesInto('expired').sort()).toEqual(['queued', 'retrying', 'scheduled']);
    expect(statesInto('queued').sort()).toEqual([
      'cancelled',
      'completed',
      'expired',
      'failed',
      'retrying',
      'scheduled',
    ]);
  });
});
