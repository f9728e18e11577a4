/**
 * Values every engine can store as given, part of the validation module (`validate.ts`
 * re-exports it): text without U+0000 or lone surrogates, JSON documents within their size and
 * depth, times inside the range JavaScript and PostgreSQL share, durations that keep every time
 * made from them inside it. Deciding here, once, is what makes SQLite, PostgreSQL and every
 * other engine accept and refuse the same inputs (docs/architecture.md, "Limits").
 */
import { MAX_JSON_DEPTH, MAX_TIME_MS, MIN_TIME_MS } from './constants.js';
import { parseDuration } from './duration.js';
import { PayloadTooLargeError, ValidationError } from './errors.js';

/** U+0000, a high surrogate without its low half, or a low one without its high half. */
// eslint-disable-next-line no-control-regex -- U+0000 is the character looked for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** In `JSON.stringify`'s text, the escapes it writes for U+0000 and for lone surrogates. */
const UNSTORABLE_ESCAPE = /\\u(?:0000|d[89a-f][0-9a-f]{2})/;

/** What makes `s` unstorable, or `undefined` when every engine stores it as given. */
export function textFlaw(s: string): string | undefined {
  const m = UNSTORABLE.exec(s);
  if (!m) return undefined;
  if (m[0] === '\u0000') {
    return 'contains the character U+0000 (NUL), which not every engine can store (PostgreSQL cannot); remove it, or send binary data as base64';
  }
  const code = m[0].charCodeAt(0).toString(16).toUpperCase();
  return `contains a lone surrogate U+${code} (half of a UTF-16 pair, not valid Unicode, which no engine stores as given); remove it or complete the pair`;
}

const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/**
 * `s` with U+0000 and lone surrogates replaced by U+FFFD, for text Gantry records rather than
 * refuses (what a handler threw).
 */
export function storableText(s: string): string {
  return UNSTORABLE.test(s) ? s.replace(UNSTORABLE_ALL, '\ufffd') : s;
}

/** Throws `ValidationError` naming `field` when `s` holds U+0000 or a lone surrogate. */
export function checkText(s: string, field: string): string {
  const flaw = textFlaw(s);
  if (flaw) throw new ValidationError(`${field} ${flaw}`, { details: { field } });
  return s;
}

/** A string of `min` (default 1) to `max` characters that every engine stores as given. */
export function validateText(value: unknown, p: { field: string; max: number; min?: number }): string {
  const min = p.min ?? 1;
  if (typeof value !== 'string' || value.length < min || value.length > p.max) {
    const size = min > 0 ? `${min}-${p.max} characters` : `at most ${p.max} characters`;
    throw new ValidationError(`${p.field} must be a string of ${size}, got ${JSON.stringify(value)}`);
  }
  return checkText(value, p.field);
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** The path of the first string (value or key) in a parsed JSON value that cannot be stored. */
function unstorableIn(value: unknown, path: string): { path: string; flaw: string } | undefined {
  if (typeof value === 'string') {
    const flaw = textFlaw(value);
    return flaw ? { path, flaw } : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableIn(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    const keyFlaw = textFlaw(k);
    if (keyFlaw) return { path: `${path} key ${JSON.stringify(k)}`, flaw: keyFlaw };
    const found = unstorableIn(v, IDENT.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`);
    if (found) return found;
  }
  return undefined;
}

/** The nesting depth of JSON text (as `JSON.stringify` writes it), counted up to `limit + 1`. */
function jsonDepth(text: string, limit: number): number {
  // `[[…]]` needs two characters a level: shorter text cannot be deeper than the limit.
  if (text.length <= 2 * limit) return 0;
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) i = stringEnd(text, i);
    else if (c === 91 || c === 123) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** The index of the quote that closes the JSON string opened at `open` (found natively, not char by char). */
function stringEnd(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}

const tooDeep = (field: string): string =>
  `${field} is nested more than ${MAX_JSON_DEPTH} levels deep, over the limit; flatten it`;

/** Why `JSON.stringify` threw, said for the user. */
function serializeFailure(field: string, cause: unknown): string {
  const msg = cause instanceof Error ? cause.message : String(cause);
  if (cause instanceof RangeError) return tooDeep(field);
  if (/circular/i.test(msg)) return `${field} contains a cycle (an object inside itself), which JSON cannot carry`;
  if (/bigint/i.test(msg)) return `${field} contains a BigInt, which JSON cannot carry; send it as a string`;
  return `${field} cannot be serialised as JSON: ${msg}`;
}

/**
 * Serialises a JSON document that Gantry stores (a payload, a result, metadata) and checks it:
 * JSON can carry it, it is at most `maxBytes` long and `MAX_JSON_DEPTH` deep, and every string
 * in it, keys included, can be stored. Returns its text. Throws `ValidationError` or
 * `PayloadTooLargeError`, naming `field` (and where inside it).
 */
export function checkJson(value: unknown, p: { field: string; maxBytes: number }): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value === undefined ? null : value);
  } catch (cause) {
    throw new ValidationError(serializeFailure(p.field, cause), { cause });
  }
  if (text === undefined) {
    throw new ValidationError(`${p.field} must be a JSON value (not a function or a symbol)`);
  }
  // Characters first: a byte count costs a pass over the text, and most documents are small.
  if (text.length * 3 > p.maxBytes) {
    const bytes = Buffer.byteLength(text);
    if (bytes > p.maxBytes) throw new PayloadTooLargeError(bytes, p.maxBytes, p.field);
  }
  const depth = jsonDepth(text, MAX_JSON_DEPTH);
  if (depth > MAX_JSON_DEPTH) throw new ValidationError(tooDeep(p.field));
  // JSON.stringify writes U+0000 and lone surrogates as escapes: no escape, nothing to look for.
  if (UNSTORABLE_ESCAPE.test(text)) {
    const found = unstorableIn(JSON.parse(text), p.field);
    if (found) throw new ValidationError(`${found.path} ${found.flaw}`, { details: { field: found.path } });
  }
  return text;
}

/**
 * A time given as a Date, ISO 8601 text or ms since the epoch, between 0001-01-01 and
 * 9999-12-31 UTC (`MIN_TIME_MS`, `MAX_TIME_MS`).
 */
export function validateTime(input: unknown, field: string): Date {
  const d =
    input instanceof Date
      ? input
      : typeof input === 'number' || (typeof input === 'string' && input.trim() !== '')
        ? new Date(input)
        : null;
  if (!d || Number.isNaN(d.getTime())) {
    throw new ValidationError(
      `${field} must be a date (ISO 8601 text, a Date or ms since the epoch), got ${JSON.stringify(input)}`,
    );
  }
  const t = d.getTime();
  if (t < MIN_TIME_MS || t > MAX_TIME_MS) {
    throw new ValidationError(`${field} must be between 0001-01-01 and 9999-12-31 (UTC), got ${JSON.stringify(input)}`);
  }
  return d;
}

/**
 * A duration Gantry stores with a job (timeout, unique window): ms or duration text, a whole
 * number of ms from 0 to `MAX_DURATION_MS`.
 */
export function validateStoredDuration(input: unknown, field: string): number {
  const ms = parseDuration(input, field);
  if (!Number.isInteger(ms)) {
    throw new ValidationError(`${field} must be a whole number of ms, got ${JSON.stringify(input)}`);
  }
  return ms;
}
