/**
 * How the CLI prints: aligned tables for people, JSON for scripts, errors on stderr with an
 * exit code. Every command goes through these so the output stays uniform.
 */
import { GantryError } from '../core/errors.js';
import type { Job } from '../core/job.js';

/** Exit code of a usage or validation error (bad flag, bad value). */
export const EXIT_USAGE = 2;
/** Exit code of any other failure. */
export const EXIT_FAILURE = 1;

/** Error codes that mean "the command line was wrong", not "the operation failed". */
const USAGE_CODES = new Set(['VALIDATION', 'UNSUPPORTED_URL', 'SCHEDULE_PARSE', 'PAYLOAD_TOO_LARGE', 'AMBIGUOUS_ID']);

/** Writes one line to stdout. */
export function println(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Prints a value as pretty JSON on stdout. */
export function printJson(value: unknown): void {
  println(JSON.stringify(value, null, 2));
}

/** Formats rows as a table whose columns are padded to their widest cell. */
export function formatTable(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Prints a table on stdout, or `empty` when there are no rows. */
export function printTable(headers: string[], rows: (string | number | null | undefined)[][], empty = '(none)'): void {
  println(rows.length === 0 ? empty : formatTable(headers, rows));
}

/** `2030-01-01 12:00:00` in local time: short enough for a table, sortable. */
export function formatTime(d: Date | null | undefined): string {
  if (!d) return '-';
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `850ms`, `12.3s`, `4m05s`, `2h10m`: a duration for people. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A job's progress as `40%` (or `-`). */
export function formatProgress(job: Pick<Job, 'progress'>): string {
  return job.progress ? `${Math.round(job.progress.percent)}%` : '-';
}

/** A text progress bar of `width` cells: `[########------------]  40%`. */
export function progressBar(percent: number, width = 30): string {
  const p = Math.max(0, Math.min(100, percent));
  const filled = Math.round((p / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(p)).padStart(3)}%`;
}

/** A value as compact JSON, cut to `max` characters for a table cell or a log line. */
export function shortJson(value: unknown, max = 60): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The exit code for an error: usage errors 2, everything else 1. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof GantryError && USAGE_CODES.has(err.code)) return EXIT_USAGE;
  return EXIT_FAILURE;
}

/**
 * Prints an error on stderr: `error [CODE]: message` for people, `{"error":{code,message}}`
 * with `--json`. Unexpected errors keep their stack so bugs can be reported.
 */
export function printError(err: unknown, json: boolean): void {
  const code = err instanceof GantryError ? err.code : 'INTERNAL';
  const message = err instanceof Error ? err.message : String(err);
  if (json) {
    const details = err instanceof GantryError && err.details ? { details: err.details } : {};
    process.stderr.write(`${JSON.stringify({ error: { code, message, ...details } })}\n`);
    return;
  }
  process.stderr.write(`error [${code}]: ${message}\n`);
  if (!(err instanceof GantryError) && err instanceof Error && err.stack && process.env.GANTRY_DEBUG) {
    process.stderr.write(`${err.stack}\n`);
  }
}
