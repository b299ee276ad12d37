import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'commands' | 'subscriber' | 'worker' | 'queue';

/**
 * One factory for every Redis connection, so their options stay consistent:
 * - `commands` and `queue` fail fast while Redis is down (no offline queue), so a
 *   mutation answers SERVICE_UNAVAILABLE instead of hanging;
 * - `worker` and `subscriber` wait and retry forever, as BullMQ and pub/sub need.
 */
export function createRedis(url: string, role: RedisRole, log: (msg: string) => void = () => {}): Redis {
  const common: RedisOptions = {
    lazyConnect: false,
    connectionName: `story-pipeline:${role}`,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  const failFast = role === 'commands' || role === 'queue';
  const redis = new Redis(url, {
    ...common,
    enableOfflineQueue: !failFast,
    maxRetriesPerRequest: failFast ? 1 : null,
    // ioredis's ready check (INFO) races a subscriber connection's resubscribe after Redis
    // comes back from loading its AOF, and then rejects every queued command with "Connection in
    // subscriber mode" (ioredis#2037; seen in the soak). The subscriber needs no ready check.
    enableReadyCheck: role !== 'subscriber',
  });
  // Reconnecting is automatic; say so once per outage instead of once per retry.
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log(`Redis (${role}) unreachable: ${err.message}; reconnecting`);
  });
  redis.on('ready', () => {
    if (down) log(`Redis (${role}) is back`);
    down = false;
  });
  return redis;
}
