// The one place where errors become what clients see. Named domain errors keep their code
// and message; GraphQL's own (parse, validation, variable) errors get a code; a lost backing
// service is SERVICE_UNAVAILABLE; anything else is logged in full and masked.
import { GraphQLError } from 'graphql';
import { AppError, outageOf, RateLimitedError, ServiceUnavailableError } from '../errors.ts';

/** The domain error behind an error, whatever wrapped it. */
function domainError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  const down = outageOf(err);
  return down ? new ServiceUnavailableError(down, err) : null;
}

// graphql ships both ESM and CJS builds and libraries may load the other one, so a
// GraphQLError is recognised by its shape, not by instanceof.
type GraphQLErrorLike = GraphQLError & { originalError?: unknown };
export const isGraphQLErrorLike = (e: unknown): e is GraphQLErrorLike =>
  e instanceof GraphQLError || (e instanceof Error && e.name === 'GraphQLError' && 'locations' in e);

/** The errors an error wraps, outermost first. */
function* causes(err: unknown): Generator<unknown> {
  for (let e = err, depth = 0; e && depth < 10; depth++) {
    yield e;
    e = isGraphQLErrorLike(e) ? e.originalError : (e as Error).cause;
  }
}

export function mapError(error: unknown, log: (msg: string, err?: unknown) => void): GraphQLError {
  const located = isGraphQLErrorLike(error) ? error : null;
  const where = { nodes: located?.nodes, source: located?.source, positions: located?.positions, path: located?.path };
  let innermost: unknown = error;
  for (const e of causes(error)) {
    const known = domainError(e);
    if (known) {
      if (known.code === 'SERVICE_UNAVAILABLE') log(known.message, known.cause);
      // yoga answers HTTP 429 with Retry-After for these (and strips `http` from the body).
      const http = known instanceof RateLimitedError ? { http: { status: 429, headers: { 'Retry-After': String(Math.max(1, Math.ceil(known.retryAfterMs / 1000))) } } } : {};
      return new GraphQLError(known.message, { ...where, extensions: { ...known.extensions, code: known.code, ...http } });
    }
    innermost = e;
  }
  if (isGraphQLErrorLike(innermost)) {
    // GraphQL's own errors (syntax, validation, variable coercion): their messages name the field.
    const code = innermost.extensions?.code ?? (/^Variable "\$/.test(innermost.message) ? 'BAD_USER_INPUT' : 'GRAPHQL_VALIDATION_FAILED');
    return new GraphQLError(innermost.message, { ...where, extensions: { ...innermost.extensions, code } });
  }
  log('unexpected error', innermost);
  return new GraphQLError('Unexpected error.', { ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}
