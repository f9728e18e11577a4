/** An action's or a form's problem, in words, next to what caused it; nothing without one. */

/** Renders `message` as an alert, or nothing. */
export function InlineError({ message, id }: { message: string | null | undefined; id?: string }) {
  if (!message) return null;
  return (
    <span id={id} className="action-error" role="alert">
      {message}
    </span>
  );
}
