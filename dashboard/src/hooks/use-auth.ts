/** The auth state as React state. */
import { useSyncExternalStore } from 'react';
import { authStore, type AuthState } from '../api/auth-store.js';

/** Re-renders when the token, status or role changes. */
export function useAuth(): AuthState {
  return useSyncExternalStore(authStore.subscribe, authStore.get);
}

/** True when the current role may run operator actions (retry, cancel, delete, pause…). */
export function useCanAct(): boolean {
  return useAuth().role === 'admin';
}

/** True when the current role may enqueue jobs (`write` or `admin`). */
export function useCanEnqueue(): boolean {
  const role = useAuth().role;
  return role === 'write' || role === 'admin';
}
