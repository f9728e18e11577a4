/** Asks for an API token when the server requires one, and says so when the token was refused. */
import { useState, type FormEvent } from 'react';
import { authStore } from '../api/auth-store.js';
import { useAuth } from '../hooks/use-auth.js';

/** The sign-in form. */
export function TokenPrompt() {
  const { status } = useAuth();
  const [value, setValue] = useState('');
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (value.trim()) authStore.setToken(value.trim());
  };
  return (
    <form className="card token-prompt" onSubmit={submit} aria-labelledby="token-title">
      <h2 id="token-title">API token required</h2>
      <p>This server requires a bearer token. It is kept in this tab's session storage only.</p>
      {status === 'rejected' ? (
        <p className="banner banner-error" role="alert" data-testid="token-rejected">
          The server rejected that token. Check it and try again.
        </p>
      ) : null}
      <label htmlFor="token-input">Token</label>
      <input
        id="token-input"
        type="password"
        autoComplete="current-password"
        autoFocus
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit" className="btn btn-primary">
        Sign in
      </button>
    </form>
  );
}
