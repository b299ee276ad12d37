// Removes every key of a run (its prefix and BullMQ's hash-tagged one): tests, the bench and
// the soak clean up after themselves with it.
import type { Redis } from 'ioredis';

export async function deletePrefixedKeys(redis: Redis, prefix: string): Promise<void> {
  for (const pattern of [`${prefix}*`, `{${prefix}bull}*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  }
}
