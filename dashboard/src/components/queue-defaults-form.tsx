/**
 * Sets a queue's defaults: the timeout and attempts of jobs enqueued without their own, and the
 * weight of workers that list the queue without one. Empty means none (Gantry's defaults).
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/http.js';
import { endpoints, type QueueDefaults } from '../api/endpoints.js';
import { InlineError } from './inline-error.js';

/** Props of `QueueDefaultsForm`. */
export interface QueueDefaultsFormProps {
  queue: string;
  current: QueueDefaults;
  onDone: () => void;
}

const FIELDS = [
  { key: 'timeoutSeconds', label: 'Timeout (s)', max: 3_153_600_000 },
  { key: 'maxAttempts', label: 'Max attempts', max: 1000 },
  { key: 'weight', label: 'Weight', max: 1000 },
] as const;

type Key = (typeof FIELDS)[number]['key'];

const text = (n: number | null): string => (n === null ? '' : String(n));

/** Reads the inputs: a whole number in range or empty (null); `undefined` when one is neither. */
function parse(values: Record<Key, string>): Record<Key, number | null> | undefined {
  const out = {} as Record<Key, number | null>;
  for (const f of FIELDS) {
    const v = values[f.key].trim();
    const n = v === '' ? null : Number(v);
    if (n !== null && (!Number.isInteger(n) || n < 1 || n > f.max)) return undefined;
    out[f.key] = n;
  }
  return out;
}

/** Three number inputs and a Save button. */
export function QueueDefaultsForm({ queue, current, onDone }: QueueDefaultsFormProps) {
  const [values, setValues] = useState<Record<Key, string>>({
    timeoutSeconds: current.timeoutMs === null ? '' : String(Math.ceil(current.timeoutMs / 1000)),
    maxAttempts: text(current.maxAttempts),
    weight: text(current.weight),
  });
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const n = parse(values);
    if (!n) {
      setError('Each default is a whole number from 1 (attempts and weight at most 1000), or empty for none.');
      return;
    }
    try {
      await endpoints.queueDefaults(queue, {
        timeoutMs: n.timeoutSeconds === null ? null : n.timeoutSeconds * 1000,
        maxAttempts: n.maxAttempts,
        weight: n.weight,
      });
      setError(null);
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} data-testid="queue-defaults">
      {FIELDS.map((f) => (
        <input
          key={f.key}
          type="number"
          min={1}
          inputMode="numeric"
          aria-label={`${f.label} of ${queue}`}
          title={f.label}
          placeholder={f.label.toLowerCase()}
          value={values[f.key]}
          onChange={(e) => setValues({ ...values, [f.key]: e.target.value })}
        />
      ))}
      <button type="submit" className="btn btn-plain">
        Save
      </button>
      <InlineError message={error} />
    </form>
  );
}
