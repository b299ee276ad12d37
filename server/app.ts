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
import { migrate } from './db/orm.ts';
import { connectDatabase } from './startup.ts';
import { ServiceUnavailableError } from './errors.ts';
import { createLogArchive } from './events/archive.ts';
import { createEventLog, type EventLog } from './events/event-log.ts';
import type { FollowDeps } from './events/follow-task.ts';
import { createLogger, type Log } from './logger.ts';
import { createProjectService } from './projects/project-service.ts';
import { createMediaRoute } from './api/media-route.ts';
import { createMetricsRoute, startMetricsServer } from './api/metrics-route.ts';
import { createQueueDashboard, DASHBOARD_PATH } from './api/queue-dashboard.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { createLocalMediaStore, MEDIA_PREFIX, type MediaStore } from './media/media-store.ts';
import { createTaskMediaStore } from './media/task-media.ts';
import { createSecurityHeaders } from './api/security-headers.ts';
import { createOfflineProviders } from './offline/providers.ts';
import { createRenderPool } from './offline/render/render-pool.ts';
import { createProviderRecords } from './providers/provider-records.ts';
import { createTaskQueue, type TaskQueue } from './queue/task-queue.ts';
import { createRedis } from './redis/connect.ts';
import { createRedisKeys } from './redis/keys.ts';
import { isPortOpen, startLocalRedis, type LocalRedis } from './redis/local-redis.ts';
import { buildSchema } from './schema/index.ts';
import { isFinished } from './stages/names.ts';
import { createStageRegistry, defaultStages, type StageRegistry } from './stages/registry.ts';
import type { Providers } from './providers/providers.ts';
import { createCancelTask } from './tasks/cancel-task.ts';
import { createDeleteProject } from './tasks/delete-project.ts';
import { createExecuteStage } from './tasks/execute-stage.ts';
import { createLifecycle } from './tasks/lifecycle.ts';
import { createPipeline } from './tasks/pipeline.ts';
import { createRunPipeline } from './tasks/run-pipeline.ts';
import { createSweep, type Sweep } from './tasks/sweep.ts';
import { createTaskStore } from './tasks/task-store.ts';
import { createShareLinks } from './auth/share-links.ts';
import { createStageHistory } from './observability/stage-history.ts';
import { createTaskRates } from './events/task-rate.ts';
import { createStageCache } from './tasks/cache.ts';
import { createStageEdits } from './tasks/edit-stage.ts';
import { createRefineStage } from './tasks/refine-stage.ts';
import { createVersionStore } from './tasks/version-store.ts';
import { createRunTask } from './worker/run-task.ts';
import { startTaskWorker, type TaskWorker } from './worker/task-worker.ts';

export interface AppOverrides {
  log?: Log;
  /** Replaces model providers (tests normally configure a loopback OpenAI server instead). */
  providers?: Partial<Providers>;
  media?: MediaStore;
  registry?: StageRegistry;
  follow?: Partial<FollowDeps>;
  metrics?: Metrics;
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
  /** This process's metrics (what /metrics shows). */
  metrics: Metrics;
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
  const metrics = overrides.metrics ?? createMetrics({ role: config.role });
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

  const orm = await connectDatabase(config, { log, standIn: runsApi });
  stack.push(() => orm.close(true));
  await migrate(orm);

  const pubsub = new RedisPubSub({ publisher: redis, subscriber });
  const archive = createLogArchive({ orm });
  const eventLog = createEventLog({ redis, keys, archive, metrics });
  const registry = overrides.registry ?? createStageRegistry(defaultStages({ filmHeight: config.filmHeight }));
  const accounts = createAccounts({ orm, initialCredits: config.initialCredits, sessionTtlMs: config.sessionTtlDays * 86_400_000 });
  const projects = createProjectService({ orm });
  const tasks = createTaskStore({ orm });
  const versions = createVersionStore({ orm });
  const queue = createTaskQueue({ connection: queueConnection, prefix: keys.queuePrefix(), maxAttempts: config.maxAttempts, retryBackoffMs: config.retryBackoffMs });
  stack.push(() => queue.close());
  metrics.observeQueue(() => queue.counts());
  const follow: FollowDeps = {
    eventLog,
    pubsub,
    taskEnded: async (taskId) => {
      const task = await tasks.find(taskId);
      return !task || isFinished(task.status);
    },
    outageToleranceMs: Math.min(config.outageToleranceMs, 30_000),
    ...overrides.follow,
  };
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
    outageToleranceMs: config.outageToleranceMs,
    log,
    metrics,
  });
  const renderPool = createRenderPool();
  stack.push(() => renderPool.close());
  const offline = createOfflineProviders({ tokenDelayMs: config.offlineTokenDelayMs, stepDelayMs: config.offlineStepDelayMs, clipWidth: config.offlineClipWidth, renderPool });
  const providerRecords = createProviderRecords({ orm, config, offline, metrics });
  await providerRecords.seed();
  const resolveProviders = async (): Promise<Providers> => ({ ...(await providerRecords.resolve()), ...overrides.providers });

  const history = createStageHistory({ redis, keys });
  const rates = createTaskRates({ redis, keys });
  const shareLinks = createShareLinks({ orm, secret: config.shareLinkSecret });
  const rateLimits = createRateLimits({ redis, prefix: config.redisPrefix, config: config.rateLimits, metrics });
  const sessions = createSessionWatch({
    pubsub,
    channel: keys.sessionChannel(),
    // A share link's streams end with the link, as a session's with the session.
    isLive: async (token) => (await accounts.authenticate(token)) !== null || (await shareLinks.resolve(token)) !== null,
    config: { maxStreamsPerUser: config.maxSubscriptionsPerUser, maxSseStreamsPerUser: config.maxSseStreamsPerUser, recheckMs: 60_000 },
    log,
    metrics,
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
    history,
    rates,
    shareLinks,
    clientUrl: () => config.clientUrl ?? config.publicUrl ?? app.url,
    executeStage: createExecuteStage({ orm, registry, projects, tasks, maxAttempts: config.maxAttempts, assertRedisUp, lifecycle }),
    runPipeline: createRunPipeline({ orm, registry, projects, tasks, maxAttempts: config.maxAttempts, assertRedisUp, lifecycle }),
    cancelTask: createCancelTask({ tasks, lifecycle }),
    deleteProject: createDeleteProject({ projects, tasks, lifecycle, media, versions }),
    versions,
    refineStage: createRefineStage({ orm, registry, projects, tasks, versions, eventLog, maxAttempts: config.maxAttempts, assertRedisUp, lifecycle }),
    stageEdits: createStageEdits({ orm, registry, projects, versions }),
  };
  const sweep = createSweep({ orm, eventLog, queue, lifecycle, pipeline, abandonedAfterMs: Math.round(config.workerLockMs * 1.5), log });

  // /ready answers 503 while any of these fails.
  const readiness: Record<string, () => Promise<unknown>> = {
    redis: () => redis.ping(),
    database: () => orm.em.fork().getConnection().execute('select 1'),
  };

  const app: App = {
    url: '',
    services,
    orm,
    eventLog,
    queue,
    redis,
    sweep,
    metrics,
    async start() {
      if (config.metricsPort) {
        const metricsServer = await startMetricsServer({ port: config.metricsPort, host: config.host, metrics, token: config.metricsToken, readiness, log });
        stack.push(() => metricsServer.close());
      }
      if (runsWorker) {
        const workerConnection = createRedis(redisUrl, 'worker', log);
        // The worker's blocking connection reconnects by itself; until it has, this process runs nothing.
        readiness.worker = async () => {
          if (workerConnection.status !== 'ready') throw new Error(`the worker's Redis connection is ${workerConnection.status}`);
        };
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
            outageToleranceMs: config.outageToleranceMs,
            log,
            metrics,
            history,
            rates,
            versions,
            cache: createStageCache({ versions }),
          }),
          log,
        });
        stack.push(async () => {
          await worker.close();
          workerConnection.disconnect();
        });
        let sweeping = false;
        const runSweep = async () => {
          if (sweeping) return;
          sweeping = true;
          await sweep()
            .catch((err) => log('sweep failed', err))
            .finally(() => (sweeping = false));
        };
        void runSweep();
        const timer = setInterval(() => void runSweep(), config.sweepIntervalMs);
        timer.unref();
        // Redis back after an outage: repair at once rather than at the next tick.
        let redisWasDown = false;
        const onRedisError = () => (redisWasDown = true);
        const onRedisReady = () => {
          if (!redisWasDown) return;
          redisWasDown = false;
          setTimeout(() => void runSweep(), 1000).unref();
        };
        redis.on('error', onRedisError);
        redis.on('ready', onRedisReady);
        stack.push(async () => {
          clearInterval(timer);
          redis.off('error', onRedisError);
          redis.off('ready', onRedisReady);
        });
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
          metrics,
        });
        const dashboard =
          config.queueDashboard === 'off'
            ? null
            : createQueueDashboard({
                connection: queueConnection,
                prefix: keys.queuePrefix(),
                accounts,
                readOnly: config.queueDashboard === 'read-only',
                secureCookie: config.publicUrl?.startsWith('https:') ?? false,
              });
        if (dashboard) stack.push(() => dashboard.close());
        const http = createHttpServer({
          yoga,
          accounts,
          // A WebSocket may carry a session token or a share link's.
          validToken: async (token) => (await accounts.authenticate(token)) !== null || (await shareLinks.resolve(token)) !== null,
          clientDir: config.clientDir,
          readiness,
          routes: {
            [MEDIA_PREFIX]: createMediaRoute(media),
            '/metrics': createMetricsRoute({ metrics, token: config.metricsToken }),
            ...(dashboard ? { [DASHBOARD_PATH]: dashboard.route } : {}),
          },
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
