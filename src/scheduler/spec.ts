/**
 * One next-fire-times function for cron expressions and natural phrases: a phrase becomes
 * cron (see `phrase.ts`) and croner computes the times, in the schedule's time zone, with its
 * DST rules (a fixed time that does not exist runs at the first valid time after the gap; a
 * time that occurs twice runs once; interval jobs skip the gap and run in both repeats).
 *
 * Without a time zone a schedule runs in UTC, so every process computes the same times
 * whatever the zone of its machine.
 */
import { Cron } from 'croner';
import { ScheduleParseError } from '../core/errors.js';
import { isPhrase, phraseToCron } from './phrase.js';
import { canonicalTimeZone } from './words.js';

/** The zone of a schedule that names none. */
export const DEFAULT_SCHEDULE_TIMEZONE = 'UTC';

/** A parsed schedule spec, ready to compute fire times. */
export interface ScheduleSpec {
  /** The spec as given. */
  readonly spec: string;
  readonly kind: 'cron' | 'phrase';
  /** The cron expressions whose union is the schedule (a cron spec has exactly one). */
  readonly crons: readonly string[];
  /** IANA zone the times are computed in. */
  readonly timezone: string;
  /** The compiled expressions. */
  readonly patterns: readonly Cron[];
}

const CRON_EXPECTED =
  'a cron expression of 5 fields (minute hour day month weekday) or 6 (second first), or a phrase starting with "every"';

function cronFor(pattern: string, timezone: string, spec: string): Cron {
  const fields = pattern.split(/\s+/).length;
  if (!pattern.startsWith('@') && fields !== 5 && fields !== 6) {
    throw new ScheduleParseError(
      `cannot read schedule ${JSON.stringify(spec)}: found ${fields} fields; expected ${CRON_EXPECTED}`,
      {
        spec,
        position: 0,
        word: spec.trim().split(/\s+/)[0] ?? '',
        expected: CRON_EXPECTED,
      },
    );
  }
  try {
    return new Cron(pattern, { timezone, mode: '5-or-6-parts' });
  } catch (cause) {
    const reason = (cause instanceof Error ? cause.message : String(cause)).replace(/\.$/, '');
    throw new ScheduleParseError(
      `cannot read schedule ${JSON.stringify(spec)}: ${reason}; expected ${CRON_EXPECTED}`,
      { spec, position: 0, word: spec.trim().split(/\s+/)[0] ?? '', expected: CRON_EXPECTED },
      { cause },
    );
  }
}

function resolveZone(spec: string, fromSpec: string | null, given: string | null | undefined): string {
  let zone: string | null = null;
  if (given !== undefined && given !== null && given !== '') {
    zone = canonicalTimeZone(given);
    if (!zone) {
      throw new ScheduleParseError(
        `unknown time zone ${JSON.stringify(given)}: expected an IANA time zone like Europe/Paris or UTC`,
        {
          spec,
          expected: 'an IANA time zone',
        },
      );
    }
  }
  if (fromSpec && zone && fromSpec !== zone) {
    throw new ScheduleParseError(
      `schedule ${JSON.stringify(spec)} names time zone ${fromSpec} but ${zone} was given too: give one time zone`,
      { spec, expected: 'one time zone' },
    );
  }
  return fromSpec ?? zone ?? DEFAULT_SCHEDULE_TIMEZONE;
}

/**
 * Parses a cron expression (5 or 6 fields; an `in <zone>` suffix is accepted) or a natural
 * phrase. `timezone` applies when the spec names none. Throws `ScheduleParseError`.
 */
export function parseSchedule(spec: string, timezone?: string | null): ScheduleSpec {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new ScheduleParseError(`a schedule spec is required: expected ${CRON_EXPECTED}`, {
      spec: String(spec ?? ''),
      position: 0,
      word: '',
      expected: CRON_EXPECTED,
    });
  }
  let crons: string[];
  let fromSpec: string | null = null;
  const kind = isPhrase(spec) ? 'phrase' : 'cron';
  if (kind === 'phrase') {
    ({ crons, timezone: fromSpec } = phraseToCron(spec));
  } else {
    const m = /^(.*\S)\s+in\s+(\S+)\s*$/i.exec(spec.trim());
    if (m) {
      fromSpec = canonicalTimeZone(m[2]!);
      if (!fromSpec) {
        const position = spec.lastIndexOf(m[2]!);
        throw new ScheduleParseError(
          `cannot read schedule ${JSON.stringify(spec)}: at column ${position + 1} "${m[2]}": expected an IANA time zone like Europe/Paris`,
          {
            spec,
            position,
            word: m[2]!,
            expected: 'an IANA time zone',
          },
        );
      }
    }
    crons = [(m ? m[1]! : spec).trim()];
  }
  const zone = resolveZone(spec, fromSpec, timezone);
  const patterns = crons.map((c) => cronFor(c, zone, spec));
  return { spec, kind, crons, timezone: zone, patterns };
}

/** The next `n` fire times strictly after `after`, in order. */
export function nextFireTimes(s: ScheduleSpec, after: Date | number, n: number): Date[] {
  const from = new Date(after);
  if (s.patterns.length === 1) return s.patterns[0]!.nextRuns(n, from);
  const all = s.patterns.flatMap((p) => p.nextRuns(n, from)).map((d) => d.getTime());
  return [...new Set(all)]
    .sort((a, b) => a - b)
    .slice(0, n)
    .map((t) => new Date(t));
}

/** The first fire time strictly after `after`, or `null` when the schedule never fires again. */
export function nextFireTime(s: ScheduleSpec, after: Date | number): Date | null {
  return nextFireTimes(s, after, 1)[0] ?? null;
}

/** The last `n` fire times strictly before `before`, latest first. */
export function previousFireTimes(s: ScheduleSpec, before: Date | number, n: number): Date[] {
  const from = new Date(before);
  const all = s.patterns.flatMap((p) => p.previousRuns(n, from)).map((d) => d.getTime());
  return [...new Set(all)]
    .sort((a, b) => b - a)
    .slice(0, n)
    .map((t) => new Date(t));
}

/**
 * The next `n` fire times of a spec without storing anything (what `gantry schedules preview`
 * prints). `from` defaults to now.
 */
export function previewSchedule(
  spec: string,
  n: number,
  timezone?: string | null,
  from: Date | number = Date.now(),
): Date[] {
  return nextFireTimes(parseSchedule(spec, timezone), from, n);
}
