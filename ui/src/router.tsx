// A tiny history router (no library): paths are relative to UI_BASE, the query string holds screen filters.
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { UI_BASE } from './api';

export interface Location {
  /** Path under the UI without leading slash: '', 'events', 'events/12', … */
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  const full = window.location.pathname;
  const path = full.startsWith(UI_BASE) ? full.slice(UI_BASE.length) : full.replace(/^\//, '');
  return { path: path.replace(/\/$/, ''), query: new URLSearchParams(window.location.search) };
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = UI_BASE + to.replace(/^\//, '');
  if (opts.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  listeners.forEach((l) => l());
  if (!opts.replace) window.scrollTo(0, 0);
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const l = () => setLoc(current());
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return loc;
}

/** A link inside the UI: a real href (open in a new tab works), client-side navigation on a plain click. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={UI_BASE + to.replace(/^\//, '')} onClick={onClick} {...rest} />;
}
