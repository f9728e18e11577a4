/** An error the user should see, with what the server said. */
import { ApiError } from '../api/http.js';

/** Renders nothing without an error. */
export function ErrorBanner({ error }: { error: Error | null | undefined }) {
  if (!error) return null;
  const code = error instanceof ApiError ? `${error.code}: ` : '';
  return (
    <div className="banner banner-error" role="alert">
      {code}
      {error.message}
    </div>
  );
}
