import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { input, primary } from '../ui';

/** Asks for the admin key once; it is checked against the API, then kept in sessionStorage (this tab only). */
export function Login({ message, onLogin }: { message: string | null; onLogin: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(message);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const k = key.trim();
    if (!k) return setError('Enter the admin key.');
    setBusy(true);
    setError(null);
    try {
      await api('dashboard/queue-stats', { key: k });
      onLogin(k);
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message} (HTTP ${err.status})` : `Cannot reach the service: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="flex min-h-screen items-center justify-center p-4">
      <form onSubmit={(e) => void submit(e)} className="w-full max-w-sm space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow">
        <div>
          <h1 className="text-xl font-semibold">TDS Core</h1>
          <p className="text-sm text-slate-600">
            Operator console. Sign in with an admin key from ADMIN_API_KEYS (or the key the service printed at start).
          </p>
        </div>
        <label className="block text-sm">
          <span className="mb-1 block font-medium">Admin key</span>
          <input
            name="adminKey"
            type="password"
            autoComplete="current-password"
            className={input}
            value={key}
            onChange={(e) => setKey(e.target.value)}
            autoFocus
          />
        </label>
        {error && (
          <p role="alert" className="rounded border border-rose-200 bg-rose-50 p-2 text-sm text-rose-800">
            {error}
          </p>
        )}
        <button type="submit" className={`${primary} w-full`} disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <p className="text-xs text-slate-500">The key stays in this browser tab only (session storage) and is sent with every request.</p>
      </form>
    </div>
  );
}
