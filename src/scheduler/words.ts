/**
 * The small vocabularies of schedule phrases: times of day, day names, ordinals and time
 * zones. Each reader consumes words from a `Cursor` and fails there with what it expected.
 */
import type { Cursor } from './tokens.js';

/** A time of day. */
export interface TimeOfDay {
  h: number;
  m: number;
  s: number;
}

const TIME_EXPECTED = 'a time like 09:30, 18:00, 8am, 6:15pm, noon or midnight';
const TIME_RE = /^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?(am|pm)?$/;

/** Reads `09:30`, `9:30:15`, `8am`, `8 am`, `6:15pm`, `noon`, `midnight`. */
export function readTime(cur: Cursor): TimeOfDay {
  const tok = cur.next(TIME_EXPECTED);
  if (tok.word === 'noon') return { h: 12, m: 0, s: 0 };
  if (tok.word === 'midnight') return { h: 0, m: 0, s: 0 };
  const match = TIME_RE.exec(tok.word);
  if (!match) cur.fail(TIME_EXPECTED, tok);
  const [, hText, mText, sText] = match;
  let suffix = match[4];
  if (!suffix && !mText && cur.accept('am')) suffix = 'am';
  else if (!suffix && !mText && cur.accept('pm')) suffix = 'pm';
  if (!suffix && !mText) cur.fail(TIME_EXPECTED, tok);
  let h = Number(hText);
  const m = mText ? Number(mText) : 0;
  const s = sText ? Number(sText) : 0;
  if (suffix) {
    if (h < 1 || h > 12) cur.fail('an hour from 1 to 12 before am/pm', tok);
    h = (h % 12) + (suffix === 'pm' ? 12 : 0);
  }
  if (h > 23 || m > 59 || s > 59) cur.fail(`${TIME_EXPECTED} (hours 0-23, minutes and seconds 0-59)`, tok);
  return { h, m, s };
}

const DAY_NAMES: Record<string, number> = {
  sunday: 0,
  sun: 0,
  monday: 1,
  mon: 1,
  tuesday: 2,
  tue: 2,
  tues: 2,
  wednesday: 3,
  wed: 3,
  thursday: 4,
  thu: 4,
  thur: 4,
  thurs: 4,
  friday: 5,
  fri: 5,
  saturday: 6,
  sat: 6,
};

/** The weekday number (0 = Sunday) of a day name, singular or plural; `undefined` if none. */
export function dayNumber(word: string | undefined): number | undefined {
  if (word === undefined) return undefined;
  return DAY_NAMES[word] ?? (word.endsWith('s') ? DAY_NAMES[word.slice(0, -1)] : undefined);
}

/** True when `word` names a set of days: a day name, `weekday(s)`, `weekend(s)`. */
export function isDaySetWord(word: string | undefined): boolean {
  return dayNumber(word) !== undefined || /^week(day|end)s?$/.test(word ?? '');
}

const DAYS_EXPECTED = 'a day name (monday … sunday), "weekday" or "weekend"';

/**
 * Reads a set of days as a cron day-of-week field: `weekday(s)` → `1-5`, `weekend(s)`
 * (optionally `… days`) → `0,6`, or day names joined by commas or `and`.
 */
export function readDays(cur: Cursor): string {
  if (cur.accept('weekday', 'weekdays')) return '1-5';
  if (cur.accept('weekend', 'weekends')) {
    cur.accept('day', 'days');
    return '0,6';
  }
  const days = new Set<number>();
  for (;;) {
    const tok = cur.next(DAYS_EXPECTED);
    const n = dayNumber(tok.word);
    if (n === undefined) cur.fail(DAYS_EXPECTED, tok);
    days.add(n);
    if (cur.peek() === 'and' && dayNumber(cur.peek(1)) !== undefined) cur.accept('and');
    else if (dayNumber(cur.peek()) === undefined) break;
  }
  return [...days].sort((a, b) => a - b).join(',');
}

const ORDINAL_EXPECTED = 'a day of the month like 1st, 15th or "last day"';

/** Reads `1st`, `2nd`, `15th`, `15` or `last [day]` as a cron day-of-month value. */
export function readDayOfMonth(cur: Cursor): string {
  if (cur.accept('last')) {
    cur.accept('day');
    return 'L';
  }
  const tok = cur.next(ORDINAL_EXPECTED);
  const match = /^(\d{1,2})(st|nd|rd|th)?$/.exec(tok.word);
  const n = match ? Number(match[1]) : NaN;
  if (!(n >= 1 && n <= 31)) cur.fail(ORDINAL_EXPECTED, tok);
  return String(n);
}

/** Canonical IANA name of a time zone, or `null` when the runtime does not know it. */
export function canonicalTimeZone(name: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Reads an IANA time zone name (`Europe/Paris`, `UTC`). */
export function readTimeZone(cur: Cursor): string {
  const expected = 'an IANA time zone like Europe/Paris, America/New_York or UTC';
  const tok = cur.next(expected);
  const zone = canonicalTimeZone(tok.text);
  if (!zone) cur.fail(expected, tok);
  return zone;
}
