/**
 * The app: asks the server who we are (prompting for a token on 401), connects the live
 * stream with that token, and routes to a page.
 */
import { useEffect, useState } from 'react';
import { authStore } from './api/auth-store.js';
import { endpoints } from './api/endpoints.js';
import { live } from './api/live.js';
import { ErrorBanner } from './components/error-banner.js';
import { NavBar } from './components/nav-bar.js';
import { TokenPrompt } from './components/token-prompt.js';
import { useAuth } from './hooks/use-auth.js';
import { useRoute, type Route } from './hooks/use-route.js';
import { EnqueuePage } from './pages/enqueue-page.js';
import { JobDetailPage } from './pages/job-detail-page.js';
import { JobsPage } from './pages/jobs-page.js';
import { OverviewPage } from './pages/overview-page.js';
import { QueuesPage } from './pages/queues-page.js';
import { SchedulesPage } from './pages/schedules-page.js';
import { WorkersPage } from './pages/workers-page.js';

/** Learns the role (a 401 on the way shows the token prompt instead). */
async function signIn(): Promise<void> {
  authStore.authorized(await endpoints.whoami());
}

function Page({ route }: { route: Route }) {
  const [first, second] = route.segments;
  const p = route.params;
  // Keyed by id: going from one job to another (back and forward) starts a fresh page.
  if (first === 'jobs' && second) return <JobDetailPage key={second} id={second} />;
  if (first === 'enqueue') return <EnqueuePage key={p.get('from') ?? ''} from={p.get('from')} />;
  if (first === 'jobs') {
    const filter = Object.fromEntries(
      (['queue', 'state', 'type', 'tag', 'id', 'text'] as const).flatMap((k) =>
        p.get(k) ? [[k, p.get(k) as string]] : [],
      ),
    );
    return <JobsPage filter={filter} />;
  }
  if (first === 'queues') return <QueuesPage />;
  if (first === 'workers') return <WorkersPage />;
  if (first === 'schedules') return <SchedulesPage />;
  return <OverviewPage />;
}

/** The root component. */
export function App() {
  const { token, status } = useAuth();
  const route = useRoute();
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    if (status !== 'unknown') return;
    signIn().then(
      () => setError(null),
      (err: unknown) => {
        // 401 is handled by the auth store (it shows the prompt); anything else is shown here.
        if (authStore.get().status === 'unknown') setError(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }, [token, status]);
  useEffect(() => {
    if (status === 'ok') live.connect(token);
  }, [token, status]);
  return (
    <>
      <button type="button" className="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <NavBar active={route.segments[0] ? `/${route.segments[0]}` : '/'} />
      <main id="main" tabIndex={-1}>
        <ErrorBanner error={error} />
        {status === 'needed' || status === 'rejected' ? <TokenPrompt /> : null}
        {status === 'ok' ? <Page route={route} /> : null}
      </main>
    </>
  );
}
