import { QueryCache, QueryClient, QueryClientProvider, MutationCache } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { adminKey, ApiError, setAuthFailureHandler } from './api';
import './index.css';
import { Login } from './pages/login';
import { Events } from './pages/events';
import { EventDetailPage } from './pages/event-detail';
import { DeadLetter } from './pages/dead-letter';
import { Alerts } from './pages/alerts';
import { Notifications } from './pages/notifications';
import { Audit } from './pages/audit';
import { Link, navigate, useLocation } from './router';
import { Loading } from './ui';

// The overview's charts (Recharts, the largest part of the bundle) load only when it is shown.
const Overview = lazy(() => import('./pages/overview').then((m) => ({ default: m.Overview })));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Polling is how the screens stay live (each query sets its refetchInterval); a refused key is not retried.
      retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
      refetchOnWindowFocus: true,
      staleTime: 2_000,
    },
  },
  queryCache: new QueryCache(),
  mutationCache: new MutationCache(),
});

const NAV: { to: string; label: string; match: (p: string) => boolean }[] = [
  { to: '', label: 'Overview', match: (p) => p === '' },
  { to: 'events', label: 'Events', match: (p) => p.startsWith('events') },
  { to: 'dead-letter', label: 'Dead letter', match: (p) => p.startsWith('dead-letter') },
  { to: 'alerts', label: 'Alerts', match: (p) => p.startsWith('alerts') },
  { to: 'notifications', label: 'Notifications', match: (p) => p.startsWith('notifications') },
  { to: 'audit', label: 'Audit log', match: (p) => p.startsWith('audit') },
];

function Screen({ path }: { path: string }) {
  const detail = /^events\/(\d+)$/.exec(path);
  if (detail) return <EventDetailPage id={detail[1]} />;
  switch (path) {
    case '':
      return <Overview />;
    case 'events':
      return <Events />;
    case 'dead-letter':
      return <DeadLetter />;
    case 'alerts':
      return <Alerts />;
    case 'notifications':
      return <Notifications />;
    case 'audit':
      return <Audit />;
    default:
      return (
        <p className="text-slate-600">
          No such screen.{' '}
          <Link to="" className="underline">
            Go to the overview
          </Link>
          .
        </p>
      );
  }
}

function App() {
  const [key, setKey] = useState<string | null>(adminKey.get);
  const [loginMessage, setLoginMessage] = useState<string | null>(null);
  const { path } = useLocation();

  useEffect(() => {
    // A 401/403 anywhere: forget the key, back to the login screen with the server's message.
    setAuthFailureHandler((message) => {
      adminKey.clear();
      queryClient.clear();
      setLoginMessage(message);
      setKey(null);
    });
  }, []);

  if (!key) {
    return (
      <Login
        message={loginMessage}
        onLogin={(k) => {
          adminKey.set(k);
          setLoginMessage(null);
          setKey(k);
        }}
      />
    );
  }

  const logout = () => {
    adminKey.clear();
    queryClient.clear();
    setKey(null);
    navigate('', { replace: true });
  };

  return (
    <div className="min-h-screen md:flex">
      <header className="sticky top-0 z-10 border-b border-slate-800 bg-slate-900 text-slate-100 md:static md:min-h-screen md:w-52 md:shrink-0 md:border-r md:border-b-0">
        <div className="flex items-center justify-between px-4 py-3">
          <span className="font-semibold">TDS Core</span>
          <button type="button" onClick={logout} className="text-xs text-slate-300 underline hover:text-white md:hidden">
            Log out
          </button>
        </div>
        <nav aria-label="Screens" className="flex gap-1 overflow-x-auto px-2 pb-2 text-sm md:flex-col md:overflow-visible">
          {NAV.map((n) => (
            <Link
              key={n.to}
              to={n.to}
              aria-current={n.match(path) ? 'page' : undefined}
              className={`rounded px-3 py-1.5 whitespace-nowrap ${n.match(path) ? 'bg-slate-700 text-white' : 'text-slate-300 hover:bg-slate-800'}`}
            >
              {n.label}
            </Link>
          ))}
        </nav>
        <button type="button" onClick={logout} className="hidden px-5 py-3 text-xs text-slate-400 underline hover:text-white md:block">
          Log out
        </button>
      </header>
      <main className="mx-auto w-full max-w-6xl min-w-0 flex-1 p-3 md:p-6">
        <Suspense fallback={<Loading />}>
          <Screen path={path} />
        </Suspense>
      </main>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
