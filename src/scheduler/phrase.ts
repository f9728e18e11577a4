/**
 * Natural schedule phrases, translated to 6-field cron expressions (seconds first) so phrases
 * and cron share one next-fire-times function (croner). A phrase may need several cron
 * expressions (a window that starts at 09:30, times with different minutes); the schedule
 * fires at the union of their times.
 *
 * Grammar (case-insensitive; commas separate like spaces):
 *   every [N] (second|minute|hour)[s] [between T and T] [on DAYS] [in ZONE]
 *   every (day|weekday|weekend|DAYNAME [and DAYNAME]…) [at T [and T]…] [in ZONE]
 *   every month on [the] (1st|2nd|…|last day) [and …] [at T [and T]…] [in ZONE]
 */
import { Cursor, tokenize } from './tokens.js';
import { isDaySetWord, readDayOfMonth, readDays, readTime, readTimeZone, type TimeOfDay } from './words.js';

/** A phrase as cron: the union of `crons` (6 fields each), in `timezone` when the phrase named one. */
export interface PhraseCron {
  crons: string[];
  timezone: string | null;
}

type Unit = 's' | 'm' | 'h';

const UNITS: Record<string, Unit> = {
  second: 's',
  seconds: 's',
  sec: 's',
  secs: 's',
  minute: 'm',
  minutes: 'm',
  min: 'm',
  mins: 'm',
  hour: 'h',
  hours: 'h',
  hr: 'h',
  hrs: 'h',
};

const UNIT_NAMES: Record<Unit, string> = { s: 'seconds', m: 'minutes', h: 'hours' };

/** Steps that repeat evenly through a minute (60 s), an hour (60 min) and a day (24 h). */
const STEP_BASE: Record<Unit, number> = { s: 60, m: 60, h: 24 };

const BODY_EXPECTED =
  'a number, a unit (seconds, minutes, hours), "day", "weekday", "weekend", a day name (monday … sunday) or "month"';

/** True when `spec` is written as a phrase (starts with the word `every`). */
export function isPhrase(spec: string): boolean {
  return /^\s*every(\s|$)/i.test(spec);
}

/** Translates a phrase to cron; throws `ScheduleParseError` saying where and what was expected. */
export function phraseToCron(spec: string): PhraseCron {
  const cur: Cursor = new Cursor(spec, tokenize(spec));
  cur.expect('every');
  let crons: string[];
  let end = '"in <time zone>" or the end of the phrase';
  const w = cur.peek();
  if (w !== undefined && (/^\d+$/.test(w) || UNITS[w] !== undefined)) {
    crons = readInterval(cur);
    end = '"between", "on", ' + end;
  } else if (w === 'month') {
    cur.accept('month');
    crons = readMonthly(cur);
    end = '"at <time>", "and <time>", ' + end;
  } else if (w === 'day' || isDaySetWord(w)) {
    const dow = cur.accept('day') ? '*' : readDays(cur);
    const at = cur.peek() === 'at';
    crons = atTimes(readAt(cur), (t) => `${t} * * ${dow}`);
    end = (at ? '"and <time>", ' : '"at", ') + end;
  } else {
    cur.fail(BODY_EXPECTED);
  }
  const timezone = cur.accept('in') ? readTimeZone(cur) : null;
  if (!cur.done()) cur.fail(end);
  return { crons, timezone };
}

/** `[N] unit [between T and T] [on DAYS]`. */
function readInterval(cur: Cursor): string[] {
  const numTok = /^\d+$/.test(cur.peek() ?? '') ? cur.next('a number') : undefined;
  const unitTok = cur.next('a unit: seconds, minutes or hours');
  const unit = UNITS[unitTok.word];
  if (!unit) cur.fail(numTok ? 'a unit: seconds, minutes or hours' : BODY_EXPECTED, unitTok);
  const n = numTok ? Number(numTok.word) : 1;
  let window: [number, number] | null = null;
  let dow = '*';
  for (;;) {
    if (!window && cur.accept('between')) window = readWindow(cur);
    else if (dow === '*' && cur.accept('on')) dow = readDays(cur);
    else break;
  }
  // Hours inside a window are listed one by one, so any step works there.
  const base = STEP_BASE[unit];
  if (!(n >= 1 && (base % n === 0 || (unit === 'h' && window)))) {
    const ok = Array.from({ length: base - 1 }, (_, i) => i + 1).filter((d) => base % d === 0);
    cur.fail(
      `a number of ${UNIT_NAMES[unit]} that divides ${base} (${ok.join(', ')}) so the steps stay even; use a cron expression for other steps`,
      numTok,
    );
  }
  return intervalCrons(unit, n, window, dow);
}

/** `T and T` as minutes of the day `[start, end)`; an end of 00:00 means midnight at the end of the day. */
function readWindow(cur: Cursor): [number, number] {
  const startTok = cur.token();
  const start = readTime(cur);
  cur.expect('and');
  const endTok = cur.token();
  const end = readTime(cur);
  if (start.s !== 0) cur.fail('a window start in whole minutes (like 09:30)', startTok);
  if (end.s !== 0) cur.fail('a window end in whole minutes (like 17:00)', endTok);
  const s = start.h * 60 + start.m;
  let e = end.h * 60 + end.m;
  if (e === 0) e = 24 * 60;
  if (e <= s) cur.fail('an end time later than the start time (windows do not cross midnight)', endTok);
  return [s, e];
}

/**
 * Minute values `from..to` of one hour that fall on the step: `value ≡ offset (mod step)`, in
 * croner syntax; '' when none does.
 */
function stepField(from: number, to: number, step: number, offset: number): string {
  const first = from + ((((offset - from) % step) + step) % step);
  if (first > to) return '';
  if (from === 0 && to === 59 && first === 0) return step === 1 ? '*' : `*/${step}`;
  if (first + step > to) return String(first);
  return step === 1 ? `${first}-${to}` : `${first}-${to}/${step}`;
}

/**
 * Crons for every `n` units on the days `dow`; inside a window the steps count from the
 * window's start (`every 2 hours between 07:00 and 20:00` fires at 07:00, 09:00, … 19:00).
 */
function intervalCrons(unit: Unit, n: number, window: [number, number] | null, dow: string): string[] {
  const step = n === 1 ? '*' : `*/${n}`;
  if (!window) {
    if (unit === 's') return [`${step} * * * * ${dow}`];
    if (unit === 'm') return [`0 ${step} * * * ${dow}`];
    return [`0 0 ${step} * * ${dow}`];
  }
  const [start, end] = window;
  if (unit === 'h') {
    const times: TimeOfDay[] = [];
    for (let t = start; t < end; t += n * 60) times.push({ h: Math.floor(t / 60), m: t % 60, s: 0 });
    return atTimes(times, (t) => `${t} * * ${dow}`);
  }
  // Minute field per hour of the day; consecutive hours with the same field share one cron.
  const perHour: { hour: number; minutes: string }[] = [];
  for (let hour = Math.floor(start / 60); hour * 60 < end; hour++) {
    const from = Math.max(start, hour * 60) - hour * 60;
    const to = Math.min(end, hour * 60 + 60) - 1 - hour * 60;
    const minutes = unit === 'm' ? stepField(from, to, n, start % n) : stepField(from, to, 1, 0);
    if (minutes !== '') perHour.push({ hour, minutes });
  }
  const seconds = unit === 's' ? step : '0';
  const crons: string[] = [];
  for (let i = 0; i < perHour.length;) {
    let j = i;
    while (
      j + 1 < perHour.length &&
      perHour[j + 1]!.minutes === perHour[i]!.minutes &&
      perHour[j + 1]!.hour === perHour[j]!.hour + 1
    )
      j++;
    const a = perHour[i]!.hour;
    const b = perHour[j]!.hour;
    crons.push(`${seconds} ${perHour[i]!.minutes} ${a === b ? a : `${a}-${b}`} * * ${dow}`);
    i = j + 1;
  }
  return crons;
}

/** `[at T [and T]…]`; midnight when absent. */
function readAt(cur: Cursor): TimeOfDay[] {
  if (!cur.accept('at')) return [{ h: 0, m: 0, s: 0 }];
  const times = [readTime(cur)];
  while (cur.peek() === 'and' && cur.peek(1) !== undefined && cur.peek(1) !== 'in') {
    cur.accept('and');
    times.push(readTime(cur));
  }
  return times;
}

/** One cron per distinct second+minute, its hours listed; `rest` adds the day fields. */
function atTimes(times: TimeOfDay[], rest: (secMinHour: string) => string): string[] {
  const byMinute = new Map<string, Set<number>>();
  for (const t of times) {
    const key = `${t.s} ${t.m}`;
    byMinute.set(key, (byMinute.get(key) ?? new Set()).add(t.h));
  }
  return [...byMinute].map(([sm, hours]) => rest(`${sm} ${[...hours].sort((a, b) => a - b).join(',')}`));
}

/** `on [the] 1st [and 15th]… [at T…]`. */
function readMonthly(cur: Cursor): string[] {
  cur.expect('on');
  const days: string[] = [];
  do {
    cur.accept('the');
    days.push(readDayOfMonth(cur));
  } while (cur.peek() === 'and' && cur.peek(1) !== undefined && cur.accept('and'));
  const dom = [...new Set(days)].join(',');
  return atTimes(readAt(cur), (t) => `${t} ${dom} * *`);
}
