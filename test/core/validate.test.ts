import { describe, expect, it } from 'vitest';
import { PayloadTooLargeError, ValidationError } from '../../src/core/errors.js';
import { validateEnqueue } from '../../src/core/validate.js';
import { parseDuration } from '../../src/core/duration.js';

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
    [{ type: 't', delay: -5 }, /delay must be >= 0/],
    [{ type: 't', delay: 'soonish' }, /delay must be a duration/],
    [{ type: 't', runAt: 'not a date' }, /runAt must be a date/],
    [{ type: 't', delay: 1, runAt: NOW }, /either delay or runAt/],
    [{ type: 't', priority: 'urgent' }, /priority must be/],
    [{ type: 't', priority: 1.5 }, /priority must be/],
    [{ type: 't', maxAttempts: 0 }, /maxAttempts must be/],
    [{ type: 't', timeout: 0 }, /timeout must be > 0/],
    [{ type: 't', tags: [1] }, /tags must be/],
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
    expect(() => validateEnqueue({ type: 't', payload: cyclic }, NOW)).toThrow(/JSON value/);
    expect(() => validateEnqueue({ type: 't', payload: 10n }, NOW)).toThrow(/JSON value/);
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
