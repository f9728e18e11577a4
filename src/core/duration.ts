import { MAX_DURATION_MS } from './constants.js';
import { ValidationError } from './errors.js';

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3600_000,
  d: 86_400_000,
};

/** A duration's upper bound, said for people. */
const MAX_SAID = `at most ${MAX_DURATION_MS} ms (100 years)`;

/**
 * Parses a duration: a number of ms, or text like `500ms`, `10s`, `5m`, `2h`, `1d`, `1h30m`,
 * from 0 to `MAX_DURATION_MS`, so that any time made by adding it stays representable. Throws
 * `ValidationError` naming `field` otherwise.
 */
export function parseDuration(input: unknown, field = 'duration'): number {
  const ms = parseDurationText(input, field);
  if (ms > MAX_DURATION_MS) throw new ValidationError(`${field} must be ${MAX_SAID}, got ${JSON.stringify(input)}`);
  return ms;
}

function parseDurationText(input: unknown, field: string): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) {
      throw new ValidationError(
        `${field} must be a number of ms from 0 to ${MAX_DURATION_MS} (100 years), got ${input}`,
      );
    }
    return input;
  }
  if (typeof input !== 'string' || input.trim() === '') {
    throw new ValidationError(
      `${field} must be a duration like 500ms, 10s, 5m, 2h or 1d, got ${JSON.stringify(input)}`,
    );
  }
  const s = input.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)\s*(ms|sec|min|s|m|h|d)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos !== s.length || pos === 0) {
    throw new ValidationError(
      `${field} must be a duration like 500ms, 10s, 5m, 2h or 1d, got ${JSON.stringify(input)}`,
    );
  }
  return total;
}
