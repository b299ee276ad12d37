// The few named errors of the domain. Each carries the public `extensions.code`;
// api/error-mapper.ts turns them into GraphQL errors, and masks everything else.
import { ConnectionException, DriverException } from '@mikro-orm/core';

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'PRECONDITION_FAILED'
  | 'INSUFFICIENT_CREDITS'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Sign in first: send "Authorization: Bearer <token>".') {
    super('UNAUTHENTICATED', message);
  }
}

/** Signed in, but not allowed: a non-administrator on an administrator's operation. */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

/** Too many requests: try again after `retryAfterMs` (HTTP answers 429 with Retry-After). */
export class RateLimitedError extends AppError {
  constructor(
    readonly what: string,
    readonly retryAfterMs: number,
  ) {
    super('RATE_LIMITED', `Too many ${what}; try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s.`, { retryAfterMs });
  }
}

/** Also what another user's id answers, so ids of others cannot be probed. */
export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} was not found.`);
  }
}

/** Bad input: names the field and the rule it broke. */
export class BadInputError extends AppError {
  constructor(
    readonly field: string,
    rule: string,
  ) {
    super('BAD_USER_INPUT', `${field}: ${rule}`, { field });
  }
}

/**
 * Whether `value` has more than `max` characters (code points, so a Chinese or emoji
 * character counts once). Cheap on huge input: it never counts past what decides it.
 */
export function longerThan(value: string, max: number): boolean {
  if (value.length <= max) return false; // code points never outnumber UTF-16 units
  if (value.length > max * 2) return true; // nor are they fewer than half of them
  let count = 0;
  for (const _ of value) if (++count > max) return true;
  return false;
}

export class PreconditionError extends AppError {
  constructor(message: string) {
    super('PRECONDITION_FAILED', message);
  }
}

export class InsufficientCreditsError extends AppError {
  constructor(needed: number, balance: number) {
    super('INSUFFICIENT_CREDITS', `This stage costs ${needed} credits; your balance is ${balance}.`, { needed, balance });
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(
    readonly what: 'Redis' | 'the database',
    cause?: unknown,
  ) {
    super('SERVICE_UNAVAILABLE', `The service is temporarily unavailable (${what} is unreachable); try again shortly.`);
    this.cause = cause;
  }
}

/** ioredis's ways of saying the server is gone (refused, closed, reset, timed out, retries exhausted). */
const REDIS_DOWN = /ECONNREFUSED|ECONNRESET|Connection is closed|Stream isn't writeable|MaxRetriesPerRequest|max retries per request|enableOfflineQueue|ETIMEDOUT|ENOTFOUND|EPIPE/i;
const DATABASE_DOWN = /ECONNREFUSED|ECONNRESET|terminat|Connection|SQLITE_BUSY|timeout/i;

/**
 * The backing service an error says is unreachable, or null when it says something else.
 * The one place that recognises an outage, so it is answered SERVICE_UNAVAILABLE (and an
 * attempt retried) everywhere, never NOT_FOUND or INTERNAL_SERVER_ERROR.
 */
export function outageOf(err: unknown): 'Redis' | 'the database' | null {
  for (let e = err, depth = 0; e instanceof Error && depth < 10; depth++, e = e.cause) {
    if (e instanceof ServiceUnavailableError) return e.what;
    if (e instanceof ConnectionException) return 'the database';
    if (e instanceof DriverException) {
      if (DATABASE_DOWN.test(`${(e as { code?: string }).code ?? ''} ${e.message}`)) return 'the database';
      continue;
    }
    if (e.name === 'MaxRetriesPerRequestError' || REDIS_DOWN.test(e.message)) return 'Redis';
  }
  return null;
}

/**
 * Runs `fn`, and runs it again while it fails because Redis or the database is unreachable,
 * for at most `toleranceMs` (backoff 100 ms doubling to 2 s), so a restart or a failover
 * costs a wait, not the work. Other errors, an abort, or an outage longer than that throw.
 */
export async function throughOutage<T>(fn: () => Promise<T>, opts: { toleranceMs: number; signal?: AbortSignal; onOutage?: (err: unknown) => void }): Promise<T> {
  const deadline = Date.now() + opts.toleranceMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await fn();
    } catch (err) {
      if (!outageOf(err) || Date.now() + wait > deadline || opts.signal?.aborted) throw err;
      opts.onOutage?.(err);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
