/**
 * A button that runs an API action: disabled while it runs and while the server cannot be
 * reached, and the server's refusal (a 403, a conflict) or the lost connection shown next to
 * it in words, so a click never fails silently or with a browser's raw error.
 */
import { useState, type ReactNode } from 'react';
import { ApiError } from '../api/http.js';
import { useOffline } from '../hooks/use-live.js';
import { InlineError } from './inline-error.js';

/** Props of `ActionButton`. */
export interface ActionButtonProps {
  onRun: () => Promise<unknown>;
  children: ReactNode;
  variant?: 'primary' | 'danger' | 'plain';
  disabled?: boolean;
  label?: string;
}

/** What to show for a failed action. */
export function errorText(err: unknown): string {
  return err instanceof ApiError || err instanceof Error ? err.message : String(err);
}

/** The tooltip of an action disabled while offline. */
export const OFFLINE_TITLE = 'The server cannot be reached; actions come back when the top bar says live.';

/** Runs `onRun` on click. */
export function ActionButton({ onRun, children, variant = 'plain', disabled, label }: ActionButtonProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const offline = useOffline();
  const run = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await onRun();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="action">
      <button
        type="button"
        className={`btn btn-${variant}`}
        disabled={disabled || busy || offline}
        title={offline ? OFFLINE_TITLE : undefined}
        aria-label={label}
        onClick={() => void run()}
      >
        {children}
      </button>
      <InlineError message={error} />
    </span>
  );
}
