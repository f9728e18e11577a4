import { describe, expect, it } from 'vitest';
import { PayloadTooLargeError, ValidationError } from '../../src/core/errors.js';
import { backoffDelay, parseBackoff } from '../../src/core/backoff.js';
import { MAX_DURATION_MS, MAX_RESULT_BYTES } from '../../src/core/constants.js';
import { parseDuration } from '../../src/core/duration.js';
import { toJobError } from '../../src/core/retry.js';
import { checkResult, validateEnqueue } from '../../src/core/validate.js';
import { storableText } from '../../src/core/validate-values.js';

const NOW = Date.UTC(2030, 0, 1);

describe('validateEnqueue', () => {
  it('fills defaults', () => {
    const j = validateEnqueue({ type: 'email.send', payload: { to: 'a@b.c' } }, NOW);
    expect(j).toMatchObject({ type: 'email.send', queue: 'default', priority: 0, state: 'queued', maxAttempts: 25 });
    expect(j.runAt.getTime()).toBe(NOW);
    expect(j.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('delays make the job scheduled', () => {
    const j = validateEnqueue({ type: 't', delay: '10s' }, NOW);
    expect(j.state).toBe('scheduled');
    expect(j.runAt.getTime()).toBe(NOW + 10_000);
    expect(validateEnqueue({ type: 't', runAt: new Date(NOW - 5).toISOString() }, NOW).state).toBe('queued');
  });

  it.each([
    [{ type: 'bad name!' }, /type must be/],
    [{ type: '' }, /type must be/],
    [{ type: 't', queue: 'a.b' }, /queue must be/],
    [{ type: 't', delay: -5 }, /delay must be a number of ms from 0 to/],
    [{ type: 't', delay: 'soonish' }, /delay must be a duration/],
    [{ type: 't', runAt: 'not a date' }, /runAt must be a date/],
    [{ type: 't', delay: 1, runAt: NOW }, /either delay or runAt/],
    [{ type: 't', priority: 'urgent' }, /priority must be/],
    [{ type: 't', priority: 1.5 }, /priority must be/],
    [{ type: 't', maxAttempts: 0 }, /maxAttempts must be/],
    [{ type: 't', timeout: 0 }, /timeout must be > 0/],
    [{ type: 't', tags: [1] }, /tags\[0\] must be a string of 1-128 characters/],
    [{ type: 't', metadata: [] }, /metadata must be/],
    [{ type: 't', colour: 'red' }, /unknown job option "colour"/],
    [{ type: 't', id: 'has space' }, /id must be/],
  ])('rejects %j', (req, msg) => {
    expect(() => validateEnqueue(req as never, NOW)).toThrow(ValidationError);
    expect(() => validateEnqueue(req as never, NOW)).toThrow(msg);
  });

  it('rejects payloads JSON cannot carry and payloads over the limit', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => validateEnqueue({ type: 't', payload: cyclic }, NOW)).toThrow(/payload contains a cycle/);
    expect(() => validateEnqueue({ type: 't', payload: 10n }, NOW)).toThrow(/payload contains a BigInt/);
    expect(() => validateEnqueue({ type: 't', payload: 'x'.repeat(100) }, NOW, { maxPayloadBytes: 50 })).toThrow(
      PayloadTooLargeError,
    );
  });

  it('resolves priority aliases', () => {
    expect(validateEnqueue({ type: 't', priority: 'critical' }, NOW).priority).toBeGreaterThan(
      validateEnqueue({ type: 't', priority: 'high' }, NOW).priority,
    );
    expect(validateEnqueue({ type: 't', priority: 'low' }, NOW).priority).toBeLessThan(0);
  });
});

describe('parseDuration', () => {
  it('reads units and compounds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration(42)).toBe(42);
    expect(parseDuration('42')).toBe(42);
    expect(() => parseDuration('10 parsecs')).toThrow(ValidationError);
  });
});

describe('what every engine can store', () => {
  it('bounds every backoff delay, whatever the stored policy holds', () => {
    const linear = { type: 'linear', stepMs: MAX_DURATION_MS } as const;
    expect(backoffDelay(linear, 1000)).toBe(MAX_DURATION_MS);
    expect(backoffDelay({ type: 'list', delaysMs: [1e308] }, 1)).toBe(MAX_DURATION_MS);
    // A policy stored corrupt (not through parseBackoff) waits nothing rather than making no time.
    expect(backoffDelay({ type: 'list', delaysMs: ['x' as unknown as number] }, 1)).toBe(0);
    expect(backoffDelay({ type: 'nonsense' } as never, 1)).toBe(0);
  });

  it('reads backoff text as the CLI does', () => {
    expect(parseBackoff('500ms')).toEqual({ type: 'fixed', delayMs: 500 });
    expect(parseBackoff(' 1s, 5s ,30s ')).toEqual({ type: 'list', delaysMs: [1000, 5000, 30_000] });
    expect(parseBackoff(['1m', 5])).toEqual({ type: 'list', delaysMs: [60_000, 5] });
    expect(parseBackoff('exponential')).toEqual({ type: 'exponential' });
    expect(() => parseBackoff(new Array(1001).fill(1))).toThrow(/at most 1000 delays/);
  });

  it('records what a handler threw with U+FFFD for characters no engine stores', () => {
    const err = toJobError(new Error('a\u0000b\udc00c'), { attempt: 1, now: 0 });
    expect(err.message).toBe('a\ufffdb\ufffdc');
    expect(storableText('pair 😀 kept')).toBe('pair 😀 kept');
  });

  it('names the first unstorable string of a result, keys included', () => {
    expect(() => checkResult({ ok: ['fine', { 'odd key': '\ud83d' }] })).toThrow(
      'result.ok[1]["odd key"] contains a lone surrogate U+D83D',
    );
    expect(() => checkResult('x'.repeat(MAX_RESULT_BYTES))).toThrow(PayloadTooLargeError);
    expect(checkResult('\\u0000 is six characters here')).toBe('"\\\\u0000 is six characters here"');
  });
});
