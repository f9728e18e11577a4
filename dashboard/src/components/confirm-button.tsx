/**
 * A two-step button for actions on many jobs: the first press asks, the second acts. Inline
 * rather than `window.confirm`, so it stays keyboard-friendly and styled.
 */
import { useState, type ReactNode } from 'react';
import { ActionButton } from './action-button.js';

/** Props of `ConfirmButton`. */
export interface ConfirmButtonProps {
  onConfirm: () => Promise<unknown>;
  children: ReactNode;
  question: string;
  disabled?: boolean;
}

/** Asks `question` before running `onConfirm`. */
export function ConfirmButton({ onConfirm, children, question, disabled }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="btn btn-plain" disabled={disabled} onClick={() => setAsking(true)}>
        {children}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <ActionButton variant="danger" onRun={() => onConfirm().finally(() => setAsking(false))}>
        Yes
      </ActionButton>
      <button type="button" className="btn btn-plain" onClick={() => setAsking(false)}>
        No
      </button>
    </span>
  );
}
