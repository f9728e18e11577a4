/**
 * A hash router (`#/jobs?queue=mail`): deep links work behind any server path and never
 * collide with `/api` or `/docs`.
 */
import { useSyncExternalStore } from 'react';

/** The current route: path segments and query parameters. */
export interface Route {
  path: string;
  segments: string[];
  params: URLSearchParams;
}

function current(): string {
  return window.location.hash.replace(/^#/, '') || '/';
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

/** Parses a hash path into a route. */
export function parseRoute(hash: string): Route {
  const [path = '/', search = ''] = hash.split('?', 2);
  return {
    path,
    segments: path.split('/').filter(Boolean).map(decodeURIComponent),
    params: new URLSearchParams(search),
  };
}

/** The current route; re-renders on navigation. */
export function useRoute(): Route {
  return parseRoute(useSyncExternalStore(subscribe, current));
}

/** Builds an href for `path` with the set values of `params`. */
export function href(path: string, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

/** Navigates to `path` with `params`. */
export function navigate(path: string, params: Record<string, string | undefined> = {}): void {
  window.location.hash = href(path, params);
}
