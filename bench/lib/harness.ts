// What every scenario needs: our app in a child process (its own Redis prefix, database
// and media directory), the raw baseline server, the subscriber process, and the context
// a scenario records its rows into.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createEventLog, type EventLog } from '../../server/events/event-log.ts';
import { createRedisKeys, type RedisKeys } from '../../server/redis/keys.ts';
import { createTestDatabase, type TestDialect } from '../../test/helpers/databases.ts';
import type { RecorderStats } from '../clients/recorder.ts';
import type { Kind, SubSpec } from '../clients/connections.ts';
import { createGqlClient, type GqlClient } from './gql-http.ts';
import { startChild, type ChildHandle } from './ipc.ts';
import type { RowResult } from './rows.ts';
import type { Sizes } from './sizes.ts';
import { deletePrefixedKeys } from '../../test/helpers/redis-keys.ts';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Limits that would refuse a load generator (one machine, a few users, thousands of subscriptions). */
const APP_ENV: Record<string, string> = {
  HOST: '127.0.0.1',
  PORT: '0',
  REDIS_URL,
  CLIENT_BUILD: '0',
  START_LOCAL_REDIS: '0',
  RATE_SIGNUP_PER_IP: '0/1',
  RATE_SIGNIN_PER_IP: '0/1',
  RATE_TASKS_PER_USER: '0/1',
  RATE_SUBSCRIPTIONS_PER_USER: '0/1',
  MAX_SUBSCRIPTIONS_PER_USER: '100000',
  MAX_SSE_STREAMS_PER_USER: '10000',
  INITIAL_CREDITS: '1000000000',
  SHUTDOWN_GRACE_MS: '0',
};

/** The child's environment: the system's basics, never the caller's app settings (an OPENAI_API_KEY, say). */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) if (process.env[k]) env[k] = process.env[k];
  return { ...env, ...extra };
}

export const NO_ARCHIVE = { read: async () => [], endSeq: async () => null };

export { deletePrefixedKeys as deleteKeys };

export type ServerProcess = ChildHandle<{ url: string }>;
export type AppHost = ChildHandle<{ pid: number }>;

/** The process our apps run in, one after another (see servers/app-server.ts). */
export function startAppHost(): Promise<AppHost> {
  return startChild(new URL('../servers/app-server.ts', import.meta.url), { env: childEnv({}), execArgv: ['--expose-gc'] });
}

/** An app's own Redis prefix, database and media directory; several apps may share them in turn. */
export interface AppData {
  prefix: string;
  databaseUrl: string;
  media: string;
  drop(): Promise<void>;
}

export async function createAppData(dialect: TestDialect): Promise<AppData> {
  const prefix = `bench-${randomUUID().slice(0, 8)}:`;
  const db = await createTestDatabase(dialect);
  const media = mkdtempSync(join(tmpdir(), 'bench-media-'));
  return {
    prefix,
    databaseUrl: db.url,
    media,
    async drop() {
      const redis = new Redis(REDIS_URL);
      await deletePrefixedKeys(redis, prefix);
      redis.disconnect();
      await db.drop();
      rmSync(media, { recursive: true, force: true });
    },
  };
}

export interface AppHandle {
  url: string;
  keys: RedisKeys;
  api: GqlClient;
  /** The process the app runs in (memory, CPU profiles). */
  process: AppHost;
  /** The event log on the app's Redis prefix, written from the runner (the bench's synthetic producer). */
  eventLog: EventLog;
  /** Resolves once the app's subscriber connection listens on every channel (PUBSUB NUMSUB). */
  waitSubscribed(channels: string[], timeoutMs?: number): Promise<void>;
  /** Stops the app (its data stays, for the next app or for `drop`). */
  stop(): Promise<void>;
}

export async function startApp(host: AppHost, data: AppData, role: 'all' | 'api', env: Record<string, string> = {}): Promise<AppHandle> {
  const appEnv = { ...APP_ENV, REDIS_PREFIX: data.prefix, DATABASE_URL: data.databaseUrl, MEDIA_DIR: data.media, ROLE: role, ...env };
  const { url } = await host.call<{ url: string }>('start', { env: appEnv });
  const redis = new Redis(REDIS_URL);
  const keys = createRedisKeys(data.prefix);
  return {
    url,
    keys,
    api: createGqlClient(url),
    process: host,
    eventLog: createEventLog({ redis, keys, archive: NO_ARCHIVE }),
    async waitSubscribed(channels, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (let i = 0; i < channels.length; i += 500) {
        const batch = channels.slice(i, i + 500);
        for (;;) {
          const counts = (await redis.pubsub('NUMSUB', ...batch)) as Array<string | number>;
          if (counts.every((v, j) => j % 2 === 0 || Number(v) > 0)) break;
          if (Date.now() > deadline) throw new Error('the app did not subscribe to every channel in time');
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    },
    async stop() {
      await host.call('stopApp');
      redis.disconnect();
    },
  };
}

/** Runs `work` on an app started on `data`, then stops the app (the data stays). */
export async function withRunningApp<T>(host: AppHost, data: AppData, role: 'all' | 'api', work: (app: AppHandle) => Promise<T>): Promise<T> {
  const app = await startApp(host, data, role);
  try {
    return await work(app);
  } finally {
    await app.stop();
  }
}

export async function startRawServer(): Promise<ServerProcess> {
  return startChild(new URL('../servers/raw-server.ts', import.meta.url), { env: childEnv({ REDIS_URL }), execArgv: ['--expose-gc'] });
}

/** The subscriber process, with typed calls. */
export async function startSubscribers() {
  const child = await startChild<{ pid: number }>(new URL('../clients/subscriber-process.ts', import.meta.url), { env: childEnv({}) });
  return {
    open: (kind: Kind, base: string, specs: SubSpec[], opts: { waitReady?: boolean; timeoutMs?: number } = {}) =>
      child.call<{ first: number; count: number; startedAt: number; ms: number }>('open', { kind, base, specs, ...opts }),
    reset: () => child.call('reset'),
    stats: () => child.call<RecorderStats>('stats'),
    waitCount: (want: { tokens?: number; events?: number; timeoutMs: number }) => child.call<RecorderStats>('waitCount', want),
    waitFor: (indexes: number[], what: 'firstToken' | 'completed', timeoutMs: number) => child.call<number[]>('waitFor', { indexes, what, timeoutMs }),
    closeAll: () => child.call('closeAll'),
    cpu: () => child.call<number>('cpu'),
    stop: () => child.stop(),
  };
}

export type Subscribers = Awaited<ReturnType<typeof startSubscribers>>;

export interface BenchContext {
  sizes: Sizes;
  host: AppHost;
  raw: ServerProcess;
  subscribers: Subscribers;
  /** A Redis connection of the runner's (raw publishing, cleanup). */
  redis: Redis;
  record(row: RowResult): void;
  progress(msg: string): void;
  /** Runs `work` under a CPU profile of `server` when BENCH_PROFILE names this row (a heap profile for the memory rows). */
  profiled<T>(rowId: string, server: ChildHandle<unknown>, work: () => Promise<T>): Promise<T>;
}
