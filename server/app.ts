// The composition root: builds every part from the config, starts them in order and stops
// them in reverse. Tests create apps with their own Redis prefix, database and port.
import type { MikroORM } from '@mikro-orm/core';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Redis } from 'ioredis';
import { createAccounts } from './auth/accounts.ts';
import { createSessionWatch } from './auth/session-watch.ts';
import { createRateLimits } from './limits/rate-limits.ts';
import { createContextFactory, type Services } from './api/context.ts';
import { createHttpServer } from './api/http-server.ts';
import { createGraphQLHandler } from './api/yoga.ts';
import { ensureClientBuilt } from './build-client.ts';
import type { Config } from './config.ts';
import { initORM, migrate } from './db/orm.ts';
import { ServiceUnavailableError } from './errors.ts';
import { createLogArchive } from './events/archive.ts';
import { createEventLog, type EventLog } from './events/event-log.ts';
import type { FollowDeps } from './events/follow-task.ts';
import { createLogger, type Log } from './logger.ts';
import { createProjectService } from './projects/project-service.ts';
import { createMediaRoute } from './api/media-route.ts';
import { createLocalMediaStore, MEDIA_PREFIX, type MediaStore } from './media/media-store.ts';
import { createTaskMediaStore } from './media/task-media.ts';
import { createSecurityHeaders } from './api/security-headers.ts';
import { createOfflineProviders } from './offline/providers.ts';
import { createProviderRecords } from './providers/provider-records.ts';
import { createTaskQueue, type TaskQueue } from './queue/task-queue.ts';
import { createRedis } from './redis/connect.ts';
import { createRedisKeys } from './redis/keys.ts';
import { isPortOpen, startLocalRedis, type LocalRedis } from './redis/local-redis.ts';
import { buildSchema } from './schema/index.ts';
import { createStageRegistry, type StageRegistry } from './stages/registry.ts';
import type { Providers } from './providers/providers.ts';
import { createCancelTask } from './tasks/cancel-task.ts';
import { createDeleteProject } from './tasks/delete-project.ts';
import { createExecuteStage } from './tasks/execute-stage.ts';
import { createLifecycle } from './tasks/lifecycle.ts';
import { createPipeline } from './tasks/pipeline.ts';
import { createRunPipeline } from './tasks/run-pipeline.ts';
import { createSweep, type Sweep } from './tasks/sweep.ts';
import { createTaskStore } from './tasks/task-store.ts';
import { createRunTask } from './worker/run-task.ts';
import { startTaskWorker, type TaskWorker } from './worker/task-worker.ts';

export interface AppOverrides {
  log?: Log;
  /** Replaces model providers (tests normally configure a loopback OpenAI server instead). */
  providers?: Partial<Providers>;
  media?: MediaStore;
  registry?: StageRegistry;
  follow?: Partial<FollowDeps>;
}

export interface App {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** http://host:port once started (role all/api). */
  url: string;
  services: Services;
  orm: MikroORM;
  eventLog: EventLog;
  queue: TaskQueue;
  redis: Redis;
  sweep: Sweep;
}

async function resolveRedisUrl(config: Config, log: Log): Promise<{ url: string; local?: LocalRedis }> {
  if (config.redisUrl) return { url: config.redisUrl };
  const port = config.localRedisPort;
  if (await isPortOpen(port)) return { url: `redis://127.0.0.1:${port}` };
  if (!config.startLocalRedis) throw new Error(`No Redis answers on 127.0.0.1:${port} and REDIS_URL is unset.`);
  const local = await startLocalRedis({ port, log });
  return { url: local.url, local };
}

const waitReady = (redis: Redis) =>
  redis.status === 'ready' ? Promise.resolve() : new Promise<void>((ok) => redis.once('ready', () => ok()));

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const log = overrides.log ?? createLogger(config.role);
  const stack: Array<() => Promise<unknown>> = []; // stop steps, run in reverse
  const runsApi = config.role !== 'worker';
  const runsWorker = config.role !== 'api';

  const { url: redisUrl, local } = await resolveRedisUrl(config, log);
  if (local) stack.push(() => local.stop());
  const keys = createRedisKeys(config.redisPrefix);
  const redis = createRedis(redisUrl, 'commands', log);
  const subscriber = createRedis(redisUrl, 'subscriber', log);
  const queueConnection = createRedis(redisUrl, 'queue', log);
  stack.push(async () => {
    for (const r of [redis, subscriber, queueConnection]) r.disconnect();
  });
  await waitReady(redis);

  const orm = await initORM(config.databaseUrl);
  stack.push(() => orm.close(true));
  await migrate(orm);

  const pubsub = new RedisPubSub({ publisher: redis, subscriber });
  const archive = createLogArchive({ orm });
  const eventLog = createEventLog({ redis, keys, archive });
  const registry = overrides.registry ?? createStageRegistry();
  const accounts = createAccounts({ orm, initialCredits: config.initialCredits, sessionTtlMs: config.sessionTtlDays * 86_400_000 });
  const projects = createProjectService({ orm });
  const tasks = createTaskStore({ orm });
  const queue = createTaskQueue({ connection: queueConnection, prefix: keys.queuePrefix(), maxAttempts: config.maxAttempts, retryBackoffMs: config.retryBackoffMs });
  stack.push(() => queue.close());
  const follow: FollowDeps = { eventLog, pubsub, ...overrides.follow };
  const media = createTaskMediaStore({ store: overrides.media ?? createLocalMediaStore({ dir: config.mediaDir }), orm });

  const assertRedisUp = async () => {
    try {
      await redis.ping();
    } catch (err) {
      throw new ServiceUnavailableError('Redis', err);
    }
  };
  const pipeline = createPipeline({ orm });
  const lifecycle = createLifecycle({
    orm,
    tasks,
    eventLog,
    queue,
    pipeline,
    pubsub,
    controlChannel: keys.controlChannel(),
    media,
    logTtlSeconds: config.logTtlSeconds,
    log,
  });
  const offline = createOfflineProviders({ tokenDelayMs: config.offlineTokenDelayMs, stepDelayMs: config.offlineStepDelayMs });
  const providerRecords = createProviderRecords({ orm, config, offline });
  await providerRecords.seed();
  const resolveProviders = async (): Promise<Providers> => ({ ...(await providerRecords.resolve()), ...overrides.providers });

  const rateLimits = createRateLimits({ redis, prefix: config.redisPrefix, config: config.rateLimits });
  const sessions = createSessionWatch({
    pubsub,
    channel: keys.sessionChannel(),
    isLive: async (token) => (await accounts.authenticate(token)) !== null,
    config: { maxStreamsPerUser: config.maxSubscriptionsPerUser, maxSseStreamsPerUser: config.maxSseStreamsPerUser, recheckMs: 60_000 },
    log,
  });

  const services: Services = {
    accounts,
    rateLimits,
    sessions,
    projects,
    tasks,
    registry,
    eventLog,
    pubsub,
    follow,
    providerRecords,
    media,
    stageChannel: keys.stageChannel,
    executeStage: createExecuteStage({ orm, registry, projects, tasks, maxAttempts: config.maxAttempts, assertRedisUp, lifecycle }),
    runPipeline: createRunPipeline({ orm, registry, projects, tasks, maxAttempts: config.maxAttempts, assertRedisUp, lifecycle }),
    cancelTask: createCancelTask({ tasks, lifecycle }),
    deleteProject: createDeleteProject({ projects, tasks, lifecycle, media }),
  };
  const sweep = createSweep({ orm, lifecycle, pipeline, log });

  const app: App = {
    url: '',
    services,
    orm,
    eventLog,
    queue,
    redis,
    sweep,
    async start() {
      if (runsWorker) {
        const workerConnection = createRedis(redisUrl, 'worker', log);
        const worker: TaskWorker = await startTaskWorker({
          connection: workerConnection,
          prefix: keys.queuePrefix(),
          concurrency: config.workerConcurrency,
          lockMs: config.workerLockMs,
          graceMs: config.shutdownGraceMs,
          pubsub,
          controlChannel: keys.controlChannel(),
          process: createRunTask({
            eventLog,
            tasks,
            lifecycle,
            projects,
            registry,
            resolveProviders,
            media,
            stageModels: config.stageModels,
            timeLimitsMs: config.timeLimitsMs,
            retryBackoffMs: config.retryBackoffMs,
            log,
          }),
          log,
        });
        stack.push(async () => {
          await worker.close();
          workerConnection.disconnect();
        });
        const runSweep = () => sweep().catch((err) => log('sweep failed', err));
        void runSweep();
        const timer = setInterval(runSweep, config.sweepIntervalMs);
        timer.unref();
        stack.push(async () => clearInterval(timer));
        const { text, image, video } = await resolveProviders();
        log(`worker running (concurrency ${config.workerConcurrency}; text ${text.name}/${text.model}, images ${image.name}/${image.model}, video ${video.name}/${video.model})`);
      }
      if (runsApi) {
        if (config.buildClient) await ensureClientBuilt(config.clientDir, log);
        // Media URLs: the configured origin, never a request's Host header; app.url is set once listening.
        const baseUrl = () => config.publicUrl ?? app.url;
        const security = createSecurityHeaders({ mediaOrigin: baseUrl });
        const yoga = createGraphQLHandler({
          schema: buildSchema(),
          createContext: createContextFactory(services, { baseUrl, trustProxy: config.trustProxy }),
          corsOrigins: config.corsOrigins,
          security,
          log,
        });
        const http = createHttpServer({
          yoga,
          accounts,
          clientDir: config.clientDir,
          readiness: {
            redis: () => redis.ping(),
            database: () => orm.em.fork().getConnection().execute('select 1'),
          },
          routes: { [MEDIA_PREFIX]: createMediaRoute(media) },
          security,
          webSocket: {
            production: config.production,
            maxSubscriptionsPerSocket: config.maxSubscriptionsPerSocket,
            connectionInitTimeoutMs: config.wsConnectionInitTimeoutMs,
          },
          log,
        });
        await sessions.start();
        stack.push(() => sessions.stop());
        const pruneTimer = setInterval(() => void accounts.pruneSessions().catch((err) => log('pruning sessions failed', err)), 3_600_000);
        pruneTimer.unref();
        stack.push(async () => clearInterval(pruneTimer));
        const port = await http.listen(config.port, config.host);
        stack.push(() => http.close());
        app.url = `http://localhost:${port}`;
        log(`Story Pipeline is up at ${app.url} (GraphiQL at ${app.url}/graphql)`);
        if (!config.publicUrl && !/^(127\.|localhost$|::1$)/.test(config.host)) {
          log(`PUBLIC_URL is unset: media URLs point at ${app.url}, which only this machine can open; set PUBLIC_URL to the address others use.`);
        }
      }
    },
    async stop() {
      while (stack.length) {
        const step = stack.pop()!;
        await step().catch((err) => log('stop step failed', err));
      }
    },
  };
  return app;
}
