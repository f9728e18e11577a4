/**
 * A JSON text area that says at once what is wrong with the text (not valid JSON, and where),
 * so a job or a payload is never sent half-typed.
 */
import type { ChangeEvent } from 'react';

/** Parses `text`; the error says what and, when the browser tells, where. */
export function parseJson(text: string): { value: unknown; error: null } | { value: undefined; error: string } {
  try {
    return { value: JSON.parse(text) as unknown, error: null };
  } catch (err) {
    return { value: undefined, error: `Not valid JSON: ${(err as Error).message}` };
  }
}

/** Props of `JsonEditor`. */
export interface JsonEditorProps {
  id: string;
  label: string;
  value: string;
  onChange: (text: string) => void;
  /** A problem to show under the text (invalid JSON, a missing field). */
  error: string | null;
  rows?: number;
}

/** A labelled, monospaced text area with its error. */
export function JsonEditor({ id, label, value, onChange, error, rows = 12 }: JsonEditorProps) {
  return (
    <div className="json-editor">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        className="mono"
        rows={rows}
        spellCheck={false}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e: ChangeEvent<HTMLTextAreaElement>) => onChange(e.target.value)}
      />
      {error ? (
        <p id={`${id}-error`} className="action-error" role="alert" data-testid="json-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
