// One operation over each transport, as the security and share-link tests send them.
import type { TestApp } from './test-app.ts';

/** The first error's public code of a GraphQL result. */
export const codeOf = (r: { errors?: Array<{ extensions?: { code?: string } }> }) => r.errors?.[0]?.extensions?.code;

/** Sends one operation over SSE and returns the GraphQL results of its stream. */
export async function sse(t: TestApp, query: string, variables: Record<string, unknown>, token: string): Promise<any[]> {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.text();
  return body
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l.length > 6)
    .map((l) => JSON.parse(l.slice(6)));
}

/** The first result of one operation over WebSocket: data, GraphQL errors, or a close. */
export function overWs(t: TestApp, token: string, query: string, variables: Record<string, unknown> = {}) {
  return new Promise<any>((resolve) => {
    t.ws(token).subscribe({ query, variables }, { next: resolve, error: resolve, complete: () => resolve(null) });
  });
}
