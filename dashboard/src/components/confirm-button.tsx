/**
 * A two-step button for actions that cannot be undone (delete, cancel, remove) or touch many
 * jobs: the first press asks, "Yes" acts, "No" goes back. Inline rather than
 * `window.confirm`, so it stays keyboard-friendly and styled.
 */
import { useState, type ReactNode } from 'react';
import { useOffline } from '../hooks/use-live.js';
import { ActionButton, OFFLINE_TITLE } from './action-button.js';

/** Props of `ConfirmButton`. */
export interface ConfirmButtonProps {
  onConfirm: () => Promise<unknown>;
  children: ReactNode;
  question: string;
  disabled?: boolean;
  variant?: 'plain' | 'danger';
}

/** Asks `question` before running `onConfirm`. */
export function ConfirmButton({ onConfirm, children, question, disabled, variant = 'plain' }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  const offline = useOffline();
  if (!asking) {
    return (
      <button
        type="button"
        className={`btn btn-${variant}`}
        disabled={disabled || offline}
        title={offline ? OFFLINE_TITLE : undefined}
        onClick={() => setAsking(true)}
      >
        {children}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <ActionButton variant="danger" onRun={() => onConfirm().then(() => setAsking(false))}>
        Yes
      </ActionButton>
      <button type="button" className="btn btn-plain" onClick={() => setAsking(false)}>
        No
      </button>
    </span>
  );
}
