// Rate limits, kept in Redis so they hold across every API instance (rate-limiter-flexible:
// one atomic Lua step per request). Each answers RATE_LIMITED with retryAfterMs; the
// defaults are far above what a person does, so only scripts meet them.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimit, RateLimitsConfig } from '../config.ts';
import { RateLimitedError } from '../errors.ts';
import type { Metrics } from '../observability/metrics.ts';

export interface RateLimits {
  signUp(ip: string): Promise<void>;
  signIn(ip: string, email: string): Promise<void>;
  startTasks(userId: string): Promise<void>;
  subscribe(userId: string): Promise<void>;
}

export function createRateLimits(deps: { redis: Redis; prefix: string; config: RateLimitsConfig; metrics?: Metrics }): RateLimits {
  const limiter = (name: string, limit: RateLimit) =>
    limit.points > 0 ? new RateLimiterRedis({ storeClient: deps.redis, keyPrefix: `${deps.prefix}rl:${name}`, points: limit.points, duration: limit.seconds }) : null;

  const { config } = deps;
  const signUpByIp = limiter('signup-ip', config.signUpPerIp);
  const signInByIp = limiter('signin-ip', config.signInPerIp);
  const signInByEmail = limiter('signin-email', config.signInPerEmail);
  const tasks = limiter('tasks', config.tasksPerUser);
  const subscriptions = limiter('subscriptions', config.subscriptionsPerUser);

  const consume = async (what: string, limit: RateLimiterRedis | null, key: string) => {
    if (!limit) return;
    try {
      await limit.consume(key);
    } catch (res) {
      // The library rejects with a RateLimiterRes when over the limit, and with the error otherwise.
      if (res instanceof RateLimiterRes) {
        deps.metrics?.rateLimited(what);
        throw new RateLimitedError(what, res.msBeforeNext);
      }
      throw res;
    }
  };

  return {
    signUp: (ip) => consume('sign-ups from this address', signUpByIp, ip),
    async signIn(ip, email) {
      await consume('sign-in attempts from this address', signInByIp, ip);
      // Hashed: the key stays small whatever was sent, and Redis holds no addresses.
      const key = createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');
      await consume('sign-in attempts for this account', signInByEmail, key);
    },
    startTasks: (userId) => consume('tasks started', tasks, userId),
    subscribe: (userId) => consume('subscriptions opened', subscriptions, userId),
  };
}
