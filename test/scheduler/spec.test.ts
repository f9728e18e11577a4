import { describe, expect, it } from 'vitest';
import { ScheduleParseError } from '../../src/core/errors.js';
import { nextFireTimes, parseSchedule, previewSchedule, previousFireTimes } from '../../src/scheduler/spec.js';

const iso = (ds: Date[]): string[] => ds.map((d) => d.toISOString());

/** Start points: a Tuesday midnight, a Saturday mid-afternoon, a month end, a leap day. */
const FROMS = [
  Date.UTC(2030, 0, 1),
  Date.UTC(2030, 5, 15, 14, 17, 43),
  Date.UTC(2030, 11, 31, 23, 59, 59),
  Date.UTC(2032, 1, 29, 8, 0, 0),
];

/** Each phrase of docs/schedules.md, the standard cron it means, and its first fire after 2030-01-01T00:00Z. */
const EQUIVALENT: [phrase: string, cron: string, first: string][] = [
  ['every 15 seconds', '*/15 * * * * *', '2030-01-01T00:00:15.000Z'],
  ['every 1 minutes', '* * * * *', '2030-01-01T00:01:00.000Z'],
  ['every minute', '* * * * *', '2030-01-01T00:01:00.000Z'],
  ['every 2 hours', '0 */2 * * *', '2030-01-01T02:00:00.000Z'],
  ['every day at 09:30', '30 9 * * *', '2030-01-01T09:30:00.000Z'],
  ['every monday at 8am', '0 8 * * 1', '2030-01-07T08:00:00.000Z'],
  ['every weekday at 18:00', '0 18 * * 1-5', '2030-01-01T18:00:00.000Z'],
  ['every 5 minutes between 09:00 and 17:00', '*/5 9-16 * * *', '2030-01-01T09:00:00.000Z'],
  ['every month on the 1st at 00:00', '0 0 1 * *', '2030-02-01T00:00:00.000Z'],
  ['Every Day At 6:15PM', '15 18 * * *', '2030-01-01T18:15:00.000Z'],
  ['every weekend at noon', '0 12 * * 0,6', '2030-01-05T12:00:00.000Z'],
  ['every monday, wednesday and friday at 07:00', '0 7 * * 1,3,5', '2030-01-02T07:00:00.000Z'],
  ['every month on the last day at 23:00', '0 23 L * *', '2030-01-31T23:00:00.000Z'],
  ['every 30 seconds on weekdays', '*/30 * * * * 1-5', '2030-01-01T00:00:30.000Z'],
  ['every day at 12am', '0 0 * * *', '2030-01-02T00:00:00.000Z'],
];

describe('schedule phrases', () => {
  it.each(EQUIVALENT)('%s fires exactly when %s does', (phrase, cron, first) => {
    const p = parseSchedule(phrase);
    const c = parseSchedule(cron);
    expect(p.kind).toBe('phrase');
    expect(c.kind).toBe('cron');
    expect(nextFireTimes(p, FROMS[0]!, 1)[0]!.toISOString()).toBe(first);
    for (const from of FROMS) expect(iso(nextFireTimes(p, from, 40))).toEqual(iso(nextFireTimes(c, from, 40)));
  });

  it('reads "in <zone>" and computes times in that zone', () => {
    const p = parseSchedule('every day at 09:30 in Europe/Paris');
    expect(p.timezone).toBe('Europe/Paris');
    // 09:30 in Paris is 08:30 UTC in winter and 07:30 UTC in summer.
    expect(iso(nextFireTimes(p, Date.UTC(2030, 0, 1), 1))).toEqual(['2030-01-01T08:30:00.000Z']);
    expect(iso(nextFireTimes(p, Date.UTC(2030, 6, 1), 1))).toEqual(['2030-07-01T07:30:00.000Z']);
    const c = parseSchedule('30 9 * * *', 'Europe/Paris');
    for (const from of FROMS) expect(iso(nextFireTimes(p, from, 30))).toEqual(iso(nextFireTimes(c, from, 30)));
  });

  it('counts window steps from the window start and ends the window before its end time', () => {
    expect(iso(previewSchedule('every 2 hours between 07:00 and 20:00', 8, null, Date.UTC(2030, 0, 1)))).toEqual([
      '2030-01-01T07:00:00.000Z',
      '2030-01-01T09:00:00.000Z',
      '2030-01-01T11:00:00.000Z',
      '2030-01-01T13:00:00.000Z',
      '2030-01-01T15:00:00.000Z',
      '2030-01-01T17:00:00.000Z',
      '2030-01-01T19:00:00.000Z',
      '2030-01-02T07:00:00.000Z',
    ]);
    const times = previewSchedule(
      'every 10 minutes between 09:35 and 11:20 on weekdays',
      12,
      null,
      Date.UTC(2030, 0, 4),
    );
    expect(iso(times)).toEqual([
      ...['09:35', '09:45', '09:55', '10:05', '10:15', '10:25', '10:35', '10:45', '10:55', '11:05', '11:15'].map(
        (t) => `2030-01-04T${t}:00.000Z`,
      ),
      '2030-01-07T09:35:00.000Z', // Friday's window ends, the weekend is skipped.
    ]);
  });

  it('accepts several times of day and several days of the month', () => {
    expect(iso(previewSchedule('every day at 09:00 and 17:30', 3, null, Date.UTC(2030, 0, 1)))).toEqual([
      '2030-01-01T09:00:00.000Z',
      '2030-01-01T17:30:00.000Z',
      '2030-01-02T09:00:00.000Z',
    ]);
    expect(iso(previewSchedule('every month on the 1st and 15th at noon', 3, null, Date.UTC(2030, 0, 2)))).toEqual([
      '2030-01-15T12:00:00.000Z',
      '2030-02-01T12:00:00.000Z',
      '2030-02-15T12:00:00.000Z',
    ]);
  });

  it('gives previous fire times latest first', () => {
    const p = parseSchedule('every 15 seconds');
    expect(iso(previousFireTimes(p, Date.UTC(2030, 0, 1, 0, 0, 15), 2))).toEqual([
      '2030-01-01T00:00:00.000Z',
      '2029-12-31T23:59:45.000Z',
    ]);
  });
});

describe('time zones and DST', () => {
  it('runs a fixed time that the spring-forward gap removes at the first valid time after it', () => {
    // 2030-03-31: Paris clocks jump from 02:00 to 03:00 (01:00 UTC).
    const p = parseSchedule('every day at 02:30 in Europe/Paris');
    expect(iso(nextFireTimes(p, Date.UTC(2030, 2, 29, 12), 3))).toEqual([
      '2030-03-30T01:30:00.000Z', // 02:30 CET
      '2030-03-31T01:00:00.000Z', // 03:00 CEST: 02:30 did not exist
      '2030-04-01T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('keeps real-time intervals across the gap', () => {
    const p = parseSchedule('every 30 minutes in Europe/Paris');
    expect(iso(nextFireTimes(p, Date.UTC(2030, 2, 31, 0, 15), 4))).toEqual([
      '2030-03-31T00:30:00.000Z',
      '2030-03-31T01:00:00.000Z',
      '2030-03-31T01:30:00.000Z',
      '2030-03-31T02:00:00.000Z',
    ]);
  });

  it('defaults to UTC and accepts the zone as an option or a cron suffix', () => {
    expect(parseSchedule('0 9 * * *').timezone).toBe('UTC');
    expect(parseSchedule('0 9 * * *', 'America/New_York').timezone).toBe('America/New_York');
    expect(parseSchedule('0 9 * * * in Asia/Tokyo').timezone).toBe('Asia/Tokyo');
    expect(parseSchedule('every day at 9am in Europe/Paris', 'Europe/Paris').timezone).toBe('Europe/Paris');
  });
});

/** A spec that must be refused, the word it must point at, and a fragment of what was expected. */
const BAD: [spec: string, word: string, expected: string][] = [
  ['every fortnight', 'fortnight', 'a unit (seconds, minutes, hours)'],
  ['every 7 minutes', '7', 'divides 60'],
  ['every 5 hours', '5', 'divides 24'],
  ['every 0 seconds', '0', 'divides 60'],
  ['every 5 potatoes', 'potatoes', 'a unit: seconds, minutes or hours'],
  ['every day at 25:00', '25:00', 'a time like 09:30'],
  ['every day at', '', 'a time like 09:30'],
  ['every monday at 8', '8', 'a time like 09:30'],
  ['every monday at 13pm', '13pm', 'an hour from 1 to 12'],
  ['every day at 9am sharp', 'sharp', 'the end of the phrase'],
  ['every 5 minutes between 17:00 and 09:00', '09:00', 'an end time later than the start'],
  ['every 5 minutes between 09:00 or 17:00', 'or', '"and"'],
  ['every day in Mars/Olympus', 'Mars/Olympus', 'an IANA time zone'],
  ['every month on the 32nd', '32nd', 'a day of the month'],
  ['every month at 09:00', 'at', '"on"'],
  ['every funday at 09:00', 'funday', 'a day name'],
  ['every', '', 'a number, a unit'],
  ['0 0 * *', '0', 'a cron expression of 5 fields'],
  ['61 * * * *', '61', 'a cron expression of 5 fields'],
  ['* * * * * * *', '*', 'a cron expression of 5 fields'],
  ['0 9 * * * in Nowhere/Land', 'Nowhere/Land', 'an IANA time zone'],
];

describe('specs that cannot be read', () => {
  it.each(BAD)('%s is refused at %j', (spec, word, expected) => {
    let err: unknown;
    try {
      parseSchedule(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScheduleParseError);
    const e = err as ScheduleParseError;
    expect(e.code).toBe('SCHEDULE_PARSE');
    expect(e.details?.word).toBe(word);
    expect(String(e.details?.expected)).toContain(expected);
    expect(e.message).toContain(expected);
    if (word !== '')
      expect(spec.slice(e.details?.position as number)).toMatch(new RegExp(`^${word.replace(/[*]/g, '\\*')}`));
    else expect(e.message).toContain('at the end of the phrase');
  });

  it('refuses two different time zones and an empty spec', () => {
    expect(() => parseSchedule('every day in Europe/Paris', 'Asia/Tokyo')).toThrow(/give one time zone/);
    expect(() => parseSchedule('  ')).toThrow(ScheduleParseError);
    expect(() => parseSchedule('0 9 * * *', 'Not/AZone')).toThrow(/unknown time zone/);
  });
});
