// Small presentational pieces shared by the screens.
import type { ReactNode } from 'react';
import { ApiError } from './api';

export function Card({
  title,
  children,
  actions,
  className = '',
}: {
  title?: ReactNode;
  children: ReactNode;
  actions?: ReactNode;
  className?: string;
}) {
  return (
    <section className={`rounded-lg border border-slate-200 bg-white p-4 shadow-sm ${className}`}>
      {(title || actions) && (
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
          {title && <h2 className="text-sm font-semibold tracking-wide text-slate-600 uppercase">{title}</h2>}
          {actions}
        </div>
      )}
      {children}
    </section>
  );
}

const TONES: Record<string, string> = {
  pending: 'bg-sky-100 text-sky-800',
  processing: 'bg-indigo-100 text-indigo-800',
  completed: 'bg-emerald-100 text-emerald-800',
  failed: 'bg-amber-100 text-amber-800',
  dead_letter: 'bg-rose-100 text-rose-800',
  open: 'bg-rose-100 text-rose-800',
  acknowledged: 'bg-amber-100 text-amber-800',
  resolved: 'bg-emerald-100 text-emerald-800',
  critical: 'bg-rose-600 text-white',
  warning: 'bg-amber-400 text-amber-950',
  info: 'bg-sky-100 text-sky-800',
  ok: 'bg-emerald-100 text-emerald-800',
  up: 'bg-emerald-100 text-emerald-800',
  down: 'bg-rose-100 text-rose-800',
  error: 'bg-rose-100 text-rose-800',
  succeeded: 'bg-emerald-100 text-emerald-800',
  delivered: 'bg-emerald-100 text-emerald-800',
};

export function Badge({ value }: { value: string }) {
  return (
    <span
      className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ${TONES[value] ?? 'bg-slate-100 text-slate-700'}`}
    >
      {value.replace('_', ' ')}
    </span>
  );
}

export function Figure({
  label,
  value,
  hint,
  tone = 'text-slate-900',
  testId,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  tone?: string;
  testId?: string;
}) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm" data-testid={testId}>
      <div className="text-xs text-slate-500 uppercase">{label}</div>
      <div className={`tabular text-2xl font-semibold ${tone}`} data-value>
        {value}
      </div>
      {hint && <div className="text-xs text-slate-500">{hint}</div>}
    </div>
  );
}

/**
 * A table in a card. By default every column keeps its natural width and the table scrolls sideways inside its card
 * on a narrow screen rather than squeezing its columns. With `fit` the table takes the card's width and no more:
 * columns whose cells carry `wrapText` (error messages, details) break their lines, even inside a long word, so on a
 * desktop nothing is cut off at the card's edge; on a phone it still scrolls sideways once those columns are at their
 * narrowest (`wrapText` keeps them at least 12rem wide).
 */
export function Table({ head, children, testId, fit = false }: { head: string[]; children: ReactNode; testId?: string; fit?: boolean }) {
  return (
    <div className="-mx-4 overflow-x-auto px-4">
      <table className={`w-full text-left text-sm ${fit ? '' : 'min-w-max'}`} data-testid={testId}>
        <thead>
          <tr className="border-b border-slate-200 text-xs text-slate-500 uppercase">
            {head.map((h) => (
              <th key={h} className="py-2 pr-4 font-medium whitespace-nowrap">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}

/** For a text cell of a `fit` table that may hold long text: it wraps (breaking long words) and stays at least 12rem wide. */
export const wrapText = 'min-w-48 wrap-anywhere';

/** A text cell: `dir="auto"` so Arabic (or any right-to-left) text reads right to left inside it. */
export function Cell({ children, className = '', mono = false }: { children: ReactNode; className?: string; mono?: boolean }) {
  return (
    <td dir="auto" className={`py-2 pr-4 align-top ${mono ? 'font-mono text-xs' : ''} ${className}`}>
      {children}
    </td>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const text =
    error instanceof ApiError ? `${error.message}${error.code ? ` (${error.code})` : ''}` : String((error as Error).message ?? error);
  return (
    <p role="alert" className="rounded border border-rose-200 bg-rose-50 p-2 text-sm text-rose-800">
      {text}
    </p>
  );
}

export function Loading() {
  return <p className="text-sm text-slate-500">Loading…</p>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="py-4 text-center text-sm text-slate-500">{children}</p>;
}

export const button = 'inline-flex items-center justify-center rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-50';
export const primary = `${button} bg-slate-900 text-white hover:bg-slate-700`;
export const secondary = `${button} border border-slate-300 bg-white text-slate-800 hover:bg-slate-100`;
export const danger = `${button} bg-rose-600 text-white hover:bg-rose-500`;
export const input = 'w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus:border-slate-500 focus:outline-none';

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function formatAge(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d ${Math.floor((seconds % 86400) / 3600)}h`;
}
