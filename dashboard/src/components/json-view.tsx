/** A JSON value, formatted and scrollable. */

/** Pretty-prints `value`; `undefined`/`null` shows as a dash. */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  if (value === undefined || value === null) return <p className="muted">—</p>;
  return (
    <pre className="json" aria-label={label} tabIndex={0}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}
