// Starts a real app (real Redis, real database, real HTTP port) with its own Redis prefix
// and database, and talks to it the way clients do: GraphQL over HTTP and graphql-ws.
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { runAdminCommand } from '../../server/admin.ts';
import { createApp, type App, type AppOverrides } from '../../server/app.ts';
import { parseConfig, type Role } from '../../server/config.ts';
import { deletePrefixedKeys } from './redis-keys.ts';
import { createTestDatabase, type TestDatabase, type TestDialect } from './databases.ts';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface GqlResult<T = any> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>;
}

export interface TestApp {
  app: App;
  url: string;
  prefix: string;
  databaseUrl: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>>;
  signUp(email?: string): Promise<{ token: string; userId: string; email: string }>;
  /** Signs up, then grants administrator rights the operator's way (`npm run admin -- grant`). */
  signUpAdmin(): Promise<{ token: string; userId: string; email: string }>;
  ws(token?: string): Client;
  stop(): Promise<void>;
}

export interface TestAppOptions {
  dialect?: TestDialect;
  role?: Role;
  env?: Record<string, string>;
  overrides?: AppOverrides;
  /** Join another test app's Redis prefix and database (a second instance). */
  joinPrefix?: string;
  joinDatabaseUrl?: string;
}

export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  await deletePrefixedKeys(redis, prefix);
  redis.disconnect();
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const prefix = opts.joinPrefix ?? `test-${randomUUID().slice(0, 8)}:`;
  let db: TestDatabase | null = null;
  let databaseUrl = opts.joinDatabaseUrl;
  if (!databaseUrl) {
    db = await createTestDatabase(opts.dialect ?? 'sqlite');
    databaseUrl = db.url;
  }
  const config = parseConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL,
      REDIS_PREFIX: prefix,
      DATABASE_URL: databaseUrl,
      OFFLINE_TOKEN_DELAY_MS: '2',
      OFFLINE_STEP_DELAY_MS: '5',
      // Small media keeps the encoder's share of a test short.
      OFFLINE_CLIP_WIDTH: '160',
      FILM_HEIGHT: '144',
      RETRY_BACKOFF_MS: '50',
      CLIENT_BUILD: '0',
      START_LOCAL_REDIS: '0',
      ...opts.env,
    },
    [`--role=${opts.role ?? 'all'}`],
  );
  // TEST_LOG=1 shows the app's log while debugging a test.
  const log = process.env.TEST_LOG ? (msg: string, err?: unknown) => console.error(`[${prefix}] ${msg}`, err ?? '') : () => {};
  const app = await createApp(config, { log, ...opts.overrides });
  await app.start();
  const url = app.url;
  const clients: Client[] = [];

  const gql = async (query: string, variables?: Record<string, unknown>, token?: string) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResult;
  };

  async function signUp(email = `user-${randomUUID().slice(0, 8)}@example.com`) {
    const r = await gql(`mutation($i: SignUpInput!) { signUp(input: $i) { token user { id } } }`, { i: { email, password: 'correct horse battery' } });
    if (!r.data) throw new Error(JSON.stringify(r.errors));
    return { token: r.data.signUp.token as string, userId: r.data.signUp.user.id as string, email };
  }

  return {
    app,
    url,
    prefix,
    databaseUrl,
    gql,
    signUp,
    async signUpAdmin() {
      const user = await signUp(`admin-${randomUUID().slice(0, 8)}@example.com`);
      const granted = await runAdminCommand(['grant', user.email], databaseUrl!);
      if (granted.code !== 0) throw new Error(granted.out);
      return user;
    },
    ws(token) {
      const client = createClient({
        url: url.replace(/^http/, 'ws') + '/graphql',
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.dispose()));
      await app.stop();
      if (!opts.joinPrefix) await deleteKeys(prefix);
      await db?.drop();
    },
  };
}

export interface Subscription<T> {
  events: T[];
  /** Resolves when the server completes the subscription; rejects on an error. */
  done: Promise<void>;
  stop(): void;
}

/** Subscribes and collects every `next` payload's single root field. */
export function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown>): Subscription<T> {
  const events: T[] = [];
  let stop = () => {};
  const done = new Promise<void>((resolve, reject) => {
    stop = client.subscribe(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) reject(Object.assign(new Error(result.errors[0].message), { errors: result.errors }));
          else events.push(Object.values(result.data as Record<string, T>)[0]);
        },
        error: (err) => reject(err instanceof Error ? err : Object.assign(new Error('subscription error'), { detail: err })),
        complete: resolve,
      },
    );
  });
  done.catch(() => {});
  return { events, done, stop: () => stop() };
}
