// `npm start` with no Redis: the process starts a redis-server of its own and stops it.
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { isPortOpen, startLocalRedis } from '../../server/redis/local-redis.ts';

const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });

it('starts a local redis-server when none answers, says so, and stops it', async () => {
  const port = await freePort();
  expect(await isPortOpen(port)).toBe(false);
  const said: string[] = [];
  const local = await startLocalRedis({ port, dir: mkdtempSync(join(tmpdir(), 'sp-redis-')), log: (m) => said.push(m) });
  expect(said.join()).toMatch(/started a local redis-server/);
  const redis = new Redis(local.url);
  expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
  redis.disconnect();
  await local.stop();
  expect(await isPortOpen(port)).toBe(false);
});
