import { getContext, setContext } from 'svelte';
import type { Connection } from './transport/connection.ts';

/** What pages of a signed-in session share, besides the urql client. */
export interface SessionContext {
  readonly connection: Connection;
  /** Re-reads `me` (credits), e.g. after a stage was charged or refunded. */
  refreshMe(): void;
  /** Signs out by the user's choice. */
  signOut(): void;
  /** Signs out because the server refused the token. */
  expire(): void;
}

const KEY = Symbol('session');

export function setSessionContext(value: SessionContext): void {
  setContext(KEY, value);
}

export function getSessionContext(): SessionContext {
  const value = getContext<SessionContext | undefined>(KEY);
  if (!value) throw new Error('getSessionContext() outside a session');
  return value;
}
