/** The lazy abort of an attempt behaves as an AbortController whenever the signal is read. */
import { describe, expect, it } from 'vitest';
import { AttemptAbort } from '../../src/worker/attempt-abort.js';

describe('AttemptAbort', () => {
  it('gives a signal read after the abort already aborted, with the reason', () => {
    const a = new AttemptAbort();
    const reason = new Error('cancelled');
    a.abort(reason);
    expect(a.signal.aborted).toBe(true);
    expect(a.signal.reason).toBe(reason);
  });

  it('aborts a signal read before, once, and tells its listener once', () => {
    const a = new AttemptAbort();
    const signal = a.signal;
    const heard: unknown[] = [];
    a.onAbort((r) => heard.push(r));
    a.abort('first');
    a.abort('second');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('first');
    expect(heard).toEqual(['first']);
  });

  it('tells a listener added after the abort at once', () => {
    const a = new AttemptAbort();
    a.abort('gone');
    const heard: unknown[] = [];
    a.onAbort((r) => heard.push(r));
    expect(heard).toEqual(['gone']);
    expect(a.aborted).toBe(true);
  });
});
