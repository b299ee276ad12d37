// The one place where errors become what clients see. Named domain errors keep their code
// and message; GraphQL's own (parse, validation, variable) errors get a code; a lost backing
// service is SERVICE_UNAVAILABLE; anything else is logged in full and masked.
import { GraphQLError } from 'graphql';
import { DriverException, ConnectionException } from '@mikro-orm/core';
import { AppError, ServiceUnavailableError } from '../errors.ts';

const REDIS_DOWN = /ECONNREFUSED|Connection is closed|Stream isn't writeable|MaxRetriesPerRequest|enableOfflineQueue|ETIMEDOUT|ENOTFOUND/;

function isRedisDown(err: unknown): boolean {
  const e = err as Error | undefined;
  return !!e && (e.name === 'MaxRetriesPerRequestError' || REDIS_DOWN.test(e.message ?? ''));
}

function isDatabaseDown(err: unknown): boolean {
  if (err instanceof ConnectionException) return true;
  const e = err as Error & { code?: string };
  return err instanceof DriverException && /ECONNREFUSED|terminat|Connection|SQLITE_BUSY/i.test(`${e.code ?? ''} ${e.message}`);
}

/** The domain error behind an error, whatever wrapped it. */
function domainError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (isRedisDown(err)) return new ServiceUnavailableError('Redis', err);
  if (isDatabaseDown(err)) return new ServiceUnavailableError('the database', err);
  return null;
}

export function mapError(error: unknown, log: (msg: string, err?: unknown) => void): GraphQLError {
  const gql = error instanceof GraphQLError ? error : null;
  const original = gql?.originalError ?? (gql ? null : error);
  if (gql && !original) {
    // GraphQL's own errors: syntax, validation, variable coercion. Their messages name the field.
    if (gql.extensions?.code) return gql;
    const code = /^Variable "\$/.test(gql.message) ? 'BAD_USER_INPUT' : 'GRAPHQL_VALIDATION_FAILED';
    return new GraphQLError(gql.message, { nodes: gql.nodes, source: gql.source, positions: gql.positions, path: gql.path, extensions: { ...gql.extensions, code } });
  }
  const known = domainError(original) ?? (original instanceof GraphQLError ? null : domainError((original as Error)?.cause));
  if (original instanceof GraphQLError && !known) return mapError(original, log);
  if (known) {
    if (known.code === 'SERVICE_UNAVAILABLE') log(known.message, known.cause);
    return new GraphQLError(known.message, { nodes: gql?.nodes, path: gql?.path, extensions: { ...known.extensions, code: known.code } });
  }
  log('unexpected error', original);
  return new GraphQLError('Unexpected error.', { nodes: gql?.nodes, path: gql?.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}
