import type { ExecutionResult } from 'graphql';

/** The body of a GraphQL request, as urql's `forwardSubscription` hands it over. */
export interface GraphQLRequestBody {
  query?: string;
  operationName?: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
}

/** Receives a subscription's results. `error` gets an Error or a list of GraphQL errors. */
export interface ResultSink {
  next(result: ExecutionResult): void;
  error(error: unknown): void;
  complete(): void;
}

/** A transport that carries subscriptions; `subscribe` returns the function that stops one. */
export interface SubscriptionTransport {
  subscribe(request: GraphQLRequestBody, sink: ResultSink): () => void;
  dispose(): void;
}

/**
 * What a transport reports about its connection, so the connection manager can pick
 * the transport to use and show the link state.
 */
export interface TransportHooks {
  /** A connection attempt succeeded (WebSocket acknowledged, SSE response streaming). */
  opened(): void;
  /** A connection attempt ended before it opened. */
  failed(): void;
  /** An open connection was lost. */
  dropped(): void;
  /** The server refused the token. */
  unauthorized(): void;
}
