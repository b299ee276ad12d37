/**
 * Named errors of the client, and helpers to read the server's `extensions.code`
 * (one of the codes listed in shared/api/README.md) from whatever failed.
 */

/** A live connection (WebSocket or SSE stream) closed or could not be opened. */
export class ConnectionLostError extends Error {
  override name = 'ConnectionLostError';
  constructor(
    message: string,
    /** WebSocket close code or HTTP status, when there was one. */
    readonly code?: number,
  ) {
    super(message);
  }
}

/** The connection manager is polling: no transport can carry a subscription now. */
export class TransportUnavailableError extends Error {
  override name = 'TransportUnavailableError';
}

interface WithExtensions {
  extensions?: { code?: unknown } | null;
}

function codesOf(errors: unknown): string[] {
  if (!Array.isArray(errors)) return [];
  return errors
    .map((e: WithExtensions) => e?.extensions?.code)
    .filter((code): code is string => typeof code === 'string');
}

/** Every `extensions.code` carried by an urql CombinedError, a GraphQL error list, or an error. */
export function errorCodes(error: unknown): string[] {
  if (!error || typeof error !== 'object') return [];
  if (Array.isArray(error)) return codesOf(error);
  const e = error as { graphQLErrors?: unknown; extensions?: { code?: unknown } };
  const codes = codesOf(e.graphQLErrors);
  if (typeof e.extensions?.code === 'string') codes.push(e.extensions.code);
  return codes;
}

export function hasErrorCode(error: unknown, code: string): boolean {
  return errorCodes(error).includes(code);
}

export function isUnauthenticated(error: unknown): boolean {
  if (error instanceof ConnectionLostError) return error.code === 4403 || error.code === 401;
  return hasErrorCode(error, 'UNAUTHENTICATED');
}

export function isNotFound(error: unknown): boolean {
  return hasErrorCode(error, 'NOT_FOUND');
}

/** The server's message for a failed operation, without urql's "[GraphQL]" prefix. */
export function errorMessage(error: unknown): string {
  if (!error) return '';
  const e = error as { graphQLErrors?: { message: string }[]; networkError?: Error; message?: string };
  if (e.graphQLErrors && e.graphQLErrors.length > 0) return e.graphQLErrors.map((g) => g.message).join('; ');
  if (e.networkError) return e.networkError.message;
  return e.message ?? String(error);
}
