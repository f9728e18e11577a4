/** A schedule spec in plain words: cron through cronstrue; a natural phrase is already plain. */
import cronstrue from 'cronstrue';

/** Describes `spec`; a phrase that is not cron comes back as it is. */
export function describeSpec(spec: string): string {
  const fields = spec.trim().split(/\s+/);
  const looksCron = (fields.length === 5 || fields.length === 6) && /^[\d*/,\-?LW#A-Z]+$/i.test(fields[0] ?? '');
  if (!looksCron) return spec;
  try {
    return cronstrue.toString(spec, { use24HourTimeFormat: true, verbose: false });
  } catch {
    return spec;
  }
}
