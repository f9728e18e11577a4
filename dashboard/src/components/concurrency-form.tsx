/** Sets a queue's cluster-wide concurrency cap (empty for no cap). */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/http.js';
import { endpoints } from '../api/endpoints.js';
import { InlineError } from './inline-error.js';

/** Props of `ConcurrencyForm`. */
export interface ConcurrencyFormProps {
  queue: string;
  current: number | null;
  onDone: () => void;
}

/** A number input and a Set button. */
export function ConcurrencyForm({ queue, current, onDone }: ConcurrencyFormProps) {
  const [value, setValue] = useState(current === null ? '' : String(current));
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const n = value.trim() === '' ? null : Number(value);
    if (n !== null && (!Number.isInteger(n) || n < 1)) {
      setError('The cap is a whole number from 1, or empty for none.');
      return;
    }
    try {
      await endpoints.queueConcurrency(queue, n);
      setError(null);
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)}>
      <input
        type="number"
        min={1}
        inputMode="numeric"
        aria-label={`Concurrency cap of ${queue}`}
        placeholder="none"
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit" className="btn btn-plain">
        Set
      </button>
      <InlineError message={error} />
    </form>
  );
}
