// GraphQL over HTTP as a client calls it, with the patience a real client has: an answer
// SERVICE_UNAVAILABLE (Redis or the database away), RATE_LIMITED or a refused connection is
// tried again with backoff, up to a deadline; every other error is the caller's to judge.
import { sleep } from './settings.ts';

export interface GqlError {
  message: string;
  extensions?: { code?: string };
}

export class GqlFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** Errors a client waits out rather than reports. */
const PASSING = new Set(['SERVICE_UNAVAILABLE', 'RATE_LIMITED', 'NETWORK']);

export async function gqlOnce<T>(url: string, query: string, variables: Record<string, unknown>, token?: string, timeoutMs = 30_000): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new GqlFailure('NETWORK', (err as Error).message);
  }
  let body: { data?: T; errors?: GqlError[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new GqlFailure(res.status >= 500 ? 'SERVICE_UNAVAILABLE' : 'BAD_RESPONSE', `HTTP ${res.status} without a JSON body`);
  }
  const first = body.errors?.[0];
  if (first) throw new GqlFailure(first.extensions?.code ?? 'UNKNOWN', first.message);
  if (!body.data) throw new GqlFailure('BAD_RESPONSE', `HTTP ${res.status} without data`);
  return body.data;
}

export interface RetryStats {
  /** Calls tried again after a passing error, by its code. */
  retried: Record<string, number>;
}

export const retryStats: RetryStats = { retried: {} };

/**
 * Calls `gqlOnce`, picking an API with `pick` for each try, until it answers or fails with
 * an error that does not pass, or `patienceMs` has gone by (a call that gets no answer at
 * all by then fails NETWORK).
 */
export async function gql<T>(pick: () => string, query: string, variables: Record<string, unknown>, token?: string, patienceMs = 60_000): Promise<T> {
  const deadline = Date.now() + patienceMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await gqlOnce<T>(pick(), query, variables, token, Math.max(5000, deadline - Date.now()));
    } catch (err) {
      if (!(err instanceof GqlFailure) || !PASSING.has(err.code) || Date.now() + wait > deadline) throw err;
      retryStats.retried[err.code] = (retryStats.retried[err.code] ?? 0) + 1;
      await sleep(wait);
    }
  }
}
