// `npm start` with no Redis: the process starts a redis-server of its own, says so, works
// on it, and stops it when it stops.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { parseConfig } from '../../server/config.ts';
import { isPortOpen, startLocalRedis } from '../../server/redis/local-redis.ts';
import { createTestDatabase } from '../helpers/databases.ts';
import { freePort } from '../helpers/free-port.ts';

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

it('an app without REDIS_URL and no Redis answering runs on a redis-server it started', async () => {
  const port = await freePort();
  const db = await createTestDatabase('sqlite');
  const said: string[] = [];
  const config = parseConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: db.url, LOCAL_REDIS_PORT: String(port), CLIENT_BUILD: '0', OFFLINE_TOKEN_DELAY_MS: '1' }, []);
  const app = await createApp(config, { log: (m) => said.push(m) });
  try {
    await app.start();
    expect(said.join('\n')).toMatch(new RegExp(`no Redis answered on 127.0.0.1:${port}; started a local redis-server`));
    expect(await isPortOpen(port)).toBe(true);
    const ready = await fetch(`${app.url}/ready`);
    expect(ready.status).toBe(200);
  } finally {
    await app.stop();
    await db.drop();
  }
  expect(await isPortOpen(port)).toBe(false);
});
