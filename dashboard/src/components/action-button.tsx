/**
 * A button that runs an API action: disabled while it runs, and the server's refusal shown
 * next to it (a 403, a conflict), so a click never fails silently.
 */
import { useState, type ReactNode } from 'react';
import { ApiError } from '../api/http.js';

/** Props of `ActionButton`. */
export interface ActionButtonProps {
  onRun: () => Promise<unknown>;
  children: ReactNode;
  variant?: 'primary' | 'danger' | 'plain';
  disabled?: boolean;
  label?: string;
}

/** Runs `onRun` on click. */
export function ActionButton({ onRun, children, variant = 'plain', disabled, label }: ActionButtonProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await onRun();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="action">
      <button
        type="button"
        className={`btn btn-${variant}`}
        disabled={disabled || busy}
        aria-label={label}
        onClick={() => void run()}
      >
        {children}
      </button>
      {error ? (
        <span className="action-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}
