import { PRIORITY_ALIASES } from './constants.js';
import { ValidationError } from './errors.js';

/** A priority: an integer (higher first) or an alias. */
export type Priority = number | keyof typeof PRIORITY_ALIASES;

/** Resolves a priority alias or integer; throws `ValidationError` for anything else. */
export function parsePriority(input: unknown): number {
  if (input === undefined || input === null) return 0;
  if (typeof input === 'number' && Number.isInteger(input) && Math.abs(input) <= 1_000_000) return input;
  if (typeof input === 'string') {
    if (input in PRIORITY_ALIASES) return PRIORITY_ALIASES[input as keyof typeof PRIORITY_ALIASES];
    if (/^-?\d+$/.test(input)) return parsePriority(Number(input));
  }
  throw new ValidationError(
    `priority must be an integer between -1000000 and 1000000 or one of ${Object.keys(PRIORITY_ALIASES).join(', ')}; got ${JSON.stringify(input)}`,
  );
}
