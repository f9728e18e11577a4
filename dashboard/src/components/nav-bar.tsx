/** The top bar: product name, page links, live indicator and who we are. */
import { authStore } from '../api/auth-store.js';
import { useAuth } from '../hooks/use-auth.js';
import { LiveIndicator } from './live-indicator.js';

const LINKS = [
  ['/', 'Overview'],
  ['/jobs', 'Jobs'],
  ['/queues', 'Queues'],
  ['/workers', 'Workers'],
  ['/schedules', 'Schedules'],
] as const;

/** Highlights the link of `active` (the first path segment). */
export function NavBar({ active }: { active: string }) {
  const { token, role, status } = useAuth();
  return (
    <header className="topbar">
      <a className="brand" href="#/">
        Gantry
      </a>
      <nav aria-label="Main">
        {LINKS.map(([path, label]) => (
          <a key={path} href={`#${path}`} aria-current={active === path ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      <div className="topbar-end">
        {status === 'ok' ? <LiveIndicator /> : null}
        {role ? (
          <span className="badge role" data-testid="role">
            {role}
          </span>
        ) : null}
        {token ? (
          <button type="button" className="btn btn-plain" onClick={() => authStore.setToken(null)}>
            Sign out
          </button>
        ) : null}
      </div>
    </header>
  );
}
