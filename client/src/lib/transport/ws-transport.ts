import { createClient } from 'graphql-ws';
import { ConnectionLostError } from '../api/errors.ts';
import type { GraphQLRequestBody, SubscriptionTransport, TransportHooks } from './types.ts';

export interface WsTransportOptions {
  /** `ws(s)://host/graphql`. */
  url: string;
  /** Read at every connection, so a reconnect uses the current token. */
  getToken: () => string | null;
  hooks: TransportHooks;
  /**
   * Interval of client pings. A pong missing for `pongTimeoutMs` closes the socket, so a
   * half-open connection (a laptop waking up, a dead proxy) is noticed and resumed.
   * @default 10_000
   */
  keepAliveMs?: number;
  /** @default 5_000 */
  pongTimeoutMs?: number;
  /** @default globalThis.WebSocket */
  webSocketImpl?: unknown;
}

/** graphql-ws's close code when the server refuses `connection_init` (bad token). */
export const FORBIDDEN_CLOSE_CODE = 4403;

interface CloseLike {
  code: number;
  reason?: string;
}

function isCloseEvent(value: unknown): value is CloseLike {
  return typeof value === 'object' && value !== null && typeof (value as CloseLike).code === 'number';
}

/** Turns what graphql-ws reports (CloseEvent, Event, Error, GraphQL errors) into an Error or GraphQL errors. */
export function toSinkError(error: unknown): unknown {
  if (Array.isArray(error) || error instanceof Error) return error;
  if (isCloseEvent(error)) {
    return new ConnectionLostError(`WebSocket closed (${error.code}${error.reason ? `: ${error.reason}` : ''})`, error.code);
  }
  return new ConnectionLostError('WebSocket error');
}

function authParams(getToken: () => string | null): Record<string, string> {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * Subscriptions over graphql-ws (protocol graphql-transport-ws).
 *
 * graphql-ws would silently re-send a subscription with its original variables after a
 * reconnect; we need each stream to resume from its own, newer cursor. So retries are
 * off here: a lost connection errors every sink, and the caller resubscribes with
 * `after: lastSeq` through whichever transport the connection manager picks.
 */
export function createWsTransport(options: WsTransportOptions): SubscriptionTransport {
  const { hooks, keepAliveMs = 10_000, pongTimeoutMs = 5_000 } = options;
  let connected = false;
  let socket: WebSocket | null = null;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;

  const client = createClient({
    url: options.url,
    connectionParams: () => authParams(options.getToken),
    lazy: true,
    // Keep the socket through a resync that closes and reopens every stream.
    lazyCloseTimeout: 3_000,
    retryAttempts: 0,
    keepAlive: keepAliveMs,
    connectionAckWaitTimeout: 10_000,
    webSocketImpl: options.webSocketImpl,
    on: {
      connected: (s) => {
        connected = true;
        socket = s as WebSocket;
        hooks.opened();
      },
      ping: (received) => {
        if (received) return;
        clearTimeout(pongTimer);
        pongTimer = setTimeout(() => {
          if (socket && socket.readyState === 1) socket.close(4408, 'Pong timeout');
        }, pongTimeoutMs);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
      closed: (event) => {
        clearTimeout(pongTimer);
        const wasConnected = connected;
        connected = false;
        socket = null;
        if (isCloseEvent(event) && event.code === FORBIDDEN_CLOSE_CODE) return hooks.unauthorized();
        // 1000 is our own lazy close after the last stream ended: not a loss.
        if (isCloseEvent(event) && event.code === 1000) return;
        if (wasConnected) hooks.dropped();
        else hooks.failed();
      },
    },
  });

  return {
    subscribe(request: GraphQLRequestBody, sink) {
      return client.subscribe(
        {
          query: request.query ?? '',
          operationName: request.operationName ?? null,
          variables: request.variables ?? null,
          extensions: request.extensions ?? null,
        },
        {
          next: (value) => sink.next(value as Parameters<typeof sink.next>[0]),
          error: (error) => sink.error(toSinkError(error)),
          complete: () => sink.complete(),
        },
      );
    },
    dispose() {
      clearTimeout(pongTimer);
      void client.dispose();
    },
  };
}

/**
 * Opens a WebSocket, completes the graphql-ws handshake and closes it: true if it
 * worked within `timeoutMs`. Used to move back to WebSockets after a fallback.
 */
export function probeWebSocket(
  options: Pick<WsTransportOptions, 'url' | 'getToken' | 'webSocketImpl'> & { timeoutMs?: number },
): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(ok);
      void client.dispose();
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 5_000);
    const client = createClient({
      url: options.url,
      connectionParams: () => authParams(options.getToken),
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => finish(false),
      webSocketImpl: options.webSocketImpl,
      on: {
        connected: () => finish(true),
        closed: () => finish(false),
      },
    });
  });
}
