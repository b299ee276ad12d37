import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import { createConnection, type Connection } from '../transport/connection.ts';
import { createSseTransport } from '../transport/sse-transport.ts';
import { createWsTransport, probeWebSocket } from '../transport/ws-transport.ts';
import { isUnauthenticated } from './errors.ts';

export interface ApiSessionOptions {
  /** The bearer token, or null before signing in. */
  token: string | null;
  /** Called when the server refuses the token (expired, revoked, or the user is gone). */
  onUnauthorized: () => void;
  /** @default location.origin */
  origin?: string;
  /** @default '/graphql' */
  path?: string;
}

export interface ApiSession {
  readonly client: Client;
  readonly connection: Connection;
  dispose(): void;
}

/**
 * Everything that talks to the API for one signed-in user (or none): an urql client for
 * HTTP queries and mutations, and a connection that carries subscriptions over
 * graphql-ws, falling back to SSE. A new token means a new session: no cache or socket
 * outlives the user it belongs to.
 */
export function createApiSession(options: ApiSessionOptions): ApiSession {
  const origin = options.origin ?? globalThis.location.origin;
  const path = options.path ?? '/graphql';
  const httpUrl = new URL(path, origin).toString();
  const wsUrl = httpUrl.replace(/^http/, 'ws');
  const getToken = () => options.token;
  let unauthorizedReported = false;
  const onUnauthorized = () => {
    if (unauthorizedReported) return;
    unauthorizedReported = true;
    options.onUnauthorized();
  };

  const connection = createConnection({
    transports: {
      ws: (hooks) => createWsTransport({ url: wsUrl, getToken, hooks }),
      sse: (hooks) => createSseTransport({ url: httpUrl, getToken, hooks }),
    },
    probeWebSocket: () => probeWebSocket({ url: wsUrl, getToken }),
    onUnauthorized,
  });

  const client = new Client({
    url: httpUrl,
    exchanges: [
      mapExchange({
        onError(error) {
          if (options.token && isUnauthenticated(error)) onUnauthorized();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({ forwardSubscription: connection.forwardSubscription }),
    ],
    fetchOptions: () => (options.token ? { headers: { authorization: `Bearer ${options.token}` } } : {}),
    // Lists and credits are re-read when a page opens; mutations invalidate by typename.
    requestPolicy: 'cache-and-network',
  });

  return {
    client,
    connection,
    dispose() {
      connection.dispose();
    },
  };
}
