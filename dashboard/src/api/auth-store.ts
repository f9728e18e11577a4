/**
 * Who the dashboard is, as far as the server told it: the token (kept in session storage so
 * a reload keeps it but closing the tab forgets it), whether the server wants one, and the
 * role, which decides whether action buttons are shown at all.
 */
import type { Role } from './types.js';

const TOKEN_KEY = 'gantry.token';

/** `ok`: the API answers; `needed`: 401 without a token; `rejected`: 401 with the token we sent. */
export type AuthStatus = 'unknown' | 'ok' | 'needed' | 'rejected';

/** A snapshot of the auth state. */
export interface AuthState {
  token: string | null;
  status: AuthStatus;
  /** `null` until the server says; actions stay hidden for anything but `admin`. */
  role: Role | null;
}

function readToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

let state: AuthState = { token: readToken(), status: 'unknown', role: null };
const listeners = new Set<() => void>();

function set(next: Partial<AuthState>): void {
  state = { ...state, ...next };
  for (const l of listeners) l();
}

/** The auth state store, shaped for `useSyncExternalStore`. */
export const authStore = {
  get: (): AuthState => state,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Stores a token typed by the user and asks again who we are. */
  setToken(token: string | null): void {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // Storage may be disabled (private mode); the token then lives for this page only.
    }
    set({ token, status: 'unknown', role: null });
  },
  /** The server refused our credentials. */
  unauthorized(): void {
    set({ status: state.token ? 'rejected' : 'needed', role: null });
  },
  /** The server accepted us, with this role when it said one. */
  authorized(role: Role | null): void {
    set({ status: 'ok', role: role ?? state.role });
  },
  /** A 403: the server may say our role; either way it is not enough to act. */
  forbidden(role?: Role): void {
    const next = role ?? (state.role === 'admin' || state.role === null ? 'read' : state.role);
    if (next !== state.role) set({ role: next });
  },
};
