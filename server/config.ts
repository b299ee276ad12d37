// Configuration is parsed and validated once, here; everything else receives a Config.
import { resolve } from 'node:path';
import { STAGE_NAMES, type StageName } from './stages/names.ts';

export type Role = 'all' | 'api' | 'worker';

/** So many requests per so many seconds; `points` 0 turns the limit off. */
export interface RateLimit {
  points: number;
  seconds: number;
}

export interface RateLimitsConfig {
  /** signUp per client IP. */
  signUpPerIp: RateLimit;
  /** signIn per client IP. */
  signInPerIp: RateLimit;
  /** signIn per email (slows password guessing against one account). */
  signInPerEmail: RateLimit;
  /** executeStage and runPipeline per user. */
  tasksPerUser: RateLimit;
  /** New subscriptions per user (every transport). */
  subscriptionsPerUser: RateLimit;
}

export interface Config {
  /** Which parts this process runs. `all`: API, worker and client. @default 'all' */
  role: Role;
  /** HTTP port of the API (GraphQL, WebSocket, SSE, client, media). @default 4000 (env PORT) */
  port: number;
  /** Host the HTTP server binds to. @default '0.0.0.0' (env HOST) */
  host: string;
  /**
   * Public origin of the API for media URLs, e.g. https://story.example.com. Never taken from
   * a request's Host header (a client controls it). Unset: http://localhost:<port>, which
   * only a browser on this machine can fetch: set it whenever others use the server. (env PUBLIC_URL)
   */
  publicUrl: string | undefined;
  /**
   * Where the web client is served, for the links a share link's `url` gives
   * (`<CLIENT_URL>/#/share/<token>`), e.g. https://app.example.com when the client is hosted
   * apart from the API. @default PUBLIC_URL, else http://localhost:<port> (env CLIENT_URL)
   */
  clientUrl: string | undefined;
  /**
   * The key share-link tokens are derived from (HMAC of the link's id). Set, it lives outside
   * the database, so a leak of the database alone yields no usable share token; unset, a key
   * the server makes on first start is kept in the database (server_secrets). Changing it
   * breaks every existing link. At least 32 characters. @default unset (env SHARE_LINK_SECRET)
   */
  shareLinkSecret: string | undefined;
  /** NODE_ENV=production: no internal text in any answer (errors, WebSocket close reasons). @default false (env NODE_ENV) */
  production: boolean;
  /**
   * Origins allowed to call the API from a browser (CORS on /graphql), e.g.
   * https://app.example.com. @default none: no CORS headers, so only pages served from
   * this origin can read answers (env CORS_ORIGINS, comma-separated)
   */
  corsOrigins: string[];
  /** Operations one WebSocket may have running at once; one more is refused with RATE_LIMITED. @default 20 (env MAX_SUBSCRIPTIONS_PER_SOCKET) */
  maxSubscriptionsPerSocket: number;
  /** A WebSocket that sends no connection_init within this is closed (4408). @default 3000 (env WS_CONNECTION_INIT_TIMEOUT_MS) */
  wsConnectionInitTimeoutMs: number;
  /** Redis for BullMQ, pub/sub and the event logs. Unset: 127.0.0.1:6379, or a redis-server we start. (env REDIS_URL) */
  redisUrl: string | undefined;
  /** Prefix of every Redis key and channel, so several deployments or test runs share a Redis. @default 'sp:' (env REDIS_PREFIX) */
  redisPrefix: string;
  /** `postgres://…` for PostgreSQL, otherwise a SQLite file path. @default './data/story-pipeline.db' (env DATABASE_URL) */
  databaseUrl: string;
  /** OpenAI (or compatible) key; unset selects the offline provider. (env OPENAI_API_KEY) */
  openaiApiKey: string | undefined;
  /** OpenAI-compatible base URL. @default the SDK's (env OPENAI_BASE_URL) */
  openaiBaseUrl: string | undefined;
  /**
   * Let providers (the seeded one from OPENAI_BASE_URL included) live on a loopback address
   * (127/8, ::1, a name resolving there), over plain http too: for development against a
   * local server. Off, every provider must be https on a public address, checked after DNS
   * resolution on each connection. @default false (env PROVIDER_ALLOW_LOOPBACK=1)
   */
  providerAllowLoopback: boolean;
  /** max_completion_tokens of every text request. @default 4000 (env TEXT_MAX_TOKENS) */
  textMaxTokens: number;
  /** Largest image a provider may return; a larger one fails the attempt. @default 20971520, 20 MiB (env MAX_IMAGE_BYTES) */
  maxImageBytes: number;
  /** Largest clip a provider may return; a larger one fails the attempt. @default 209715200, 200 MiB (env MAX_VIDEO_BYTES) */
  maxVideoBytes: number;
  /** A provider's retry-after is honoured up to this. @default 300000, 5 minutes (env MAX_RETRY_AFTER_MS) */
  maxRetryAfterMs: number;
  /** Chat model for the text stages. @default 'gpt-4o-mini' (env TEXT_MODEL) */
  textModel: string;
  /** Image model. @default 'gpt-image-1' (env IMAGE_MODEL) */
  imageModel: string;
  /** Video model. @default 'sora-2' (env VIDEO_MODEL) */
  videoModel: string;
  /**
   * Model per stage, overriding the model of whichever provider serves it (env <STAGE>_MODEL,
   * e.g. STORYBOARD_MODEL=gpt-4o). @default none: each provider's own model
   */
  stageModels: Partial<Record<StageName, string>>;
  /** How often a video job is polled. @default 5000 (env VIDEO_POLL_INTERVAL_MS) */
  videoPollIntervalMs: number;
  /** Pause between two tokens of the offline provider. @default 15 (env OFFLINE_TOKEN_DELAY_MS) */
  offlineTokenDelayMs: number;
  /** Pause between two steps (images, clips) of the offline provider. @default 400 (env OFFLINE_STEP_DELAY_MS) */
  offlineStepDelayMs: number;
  /** Width of the offline provider's clips in pixels (even); the height follows the image. @default 640 (env OFFLINE_CLIP_WIDTH) */
  offlineClipWidth: number;
  /** Speech model of the provider seeded from OPENAI_API_KEY (NARRATION). @default 'gpt-4o-mini-tts' (env SPEECH_MODEL) */
  speechModel: string;
  /**
   * The voice NARRATION asks a speech provider for, by the story's language, when the task
   * names none. @default alloy for both (env SPEECH_VOICE_EN, SPEECH_VOICE_ZH)
   */
  speechVoices: { en: string; zh: string };
  /** Largest audio a speech provider may return for one line. @default 26214400, 25 MiB (env MAX_AUDIO_BYTES) */
  maxAudioBytes: number;
  /**
   * Height of a 16:9 film, and the short side of every aspect (16:9 720 → 1280×720, 9:16
   * → 720×1280, 1:1 → 720×720). @default 720 (env FILM_HEIGHT)
   */
  filmHeight: number;
  /** How long a session token lasts since it was last used (sliding); expired tokens are refused and pruned. @default 30 (env SESSION_TTL_DAYS) */
  sessionTtlDays: number;
  /**
   * Rate limits, each `N/S` (N requests per S seconds; N 0 turns it off), per client IP,
   * email or user, shared by every instance through Redis.
   * @default RATE_SIGNUP_PER_IP 30/3600, RATE_SIGNIN_PER_IP 100/600, RATE_SIGNIN_PER_EMAIL
   * 20/600, RATE_TASKS_PER_USER 60/60 (executeStage, runPipeline), RATE_SUBSCRIPTIONS_PER_USER 300/60
   */
  rateLimits: RateLimitsConfig;
  /** Subscriptions one user may hold open at once on one API instance. @default 100 (env MAX_SUBSCRIPTIONS_PER_USER) */
  maxSubscriptionsPerUser: number;
  /** Of those, SSE streams (each holds an HTTP connection). @default 10 (env MAX_SSE_STREAMS_PER_USER) */
  maxSseStreamsPerUser: number;
  /** Take the client's address from X-Forwarded-For (only behind a proxy that sets it). @default false (env TRUST_PROXY=1) */
  trustProxy: boolean;
  /** Credits a new user starts with. @default 1000 (env INITIAL_CREDITS) */
  initialCredits: number;
  /**
   * How many tasks one worker process runs at once. Most of a task is waiting on its
   * provider, so a handful of slots left the machine idle while the fifth user waited a whole
   * task (npm run bench: first token for 50 users at once, p50 ≥ 5 s at 4, 1 s at 100).
   * What is CPU-bound is bounded apart, by the cores: scene images draw in the render pool's
   * threads, encoders wait for one of MAX_ENCODERS slots (media/ffmpeg.ts).
   * @default 100 (env WORKER_CONCURRENCY)
   */
  workerConcurrency: number;
  /**
   * How long a worker's hold on a job lasts without renewal: a worker that dies loses its
   * jobs to another after this plus half of it. @default 30000 (env WORKER_LOCK_MS)
   */
  workerLockMs: number;
  /**
   * Time limit of one attempt, by the kind of provider a stage calls: past it the provider
   * call is aborted and the task fails with TIME_LIMIT, not retried.
   * `audio` is NARRATION's, `film` FILM's (the local encoder).
   * @default text 600000, image 600000, video 1800000, audio 600000, film 1800000 (env TEXT_TIME_LIMIT_MS,
   * IMAGE_TIME_LIMIT_MS, VIDEO_TIME_LIMIT_MS, AUDIO_TIME_LIMIT_MS, FILM_TIME_LIMIT_MS)
   */
  timeLimitsMs: { text: number; image: number; video: number; audio: number; film: number };
  /**
   * How long a running attempt waits for an unreachable Redis or database (holding its
   * events, retrying its writes) before it fails, retryable. @default 60000 (env OUTAGE_TOLERANCE_MS)
   */
  outageToleranceMs: number;
  /** On SIGTERM, how long running tasks may take to finish before they are left to another worker. @default 10000 (env SHUTDOWN_GRACE_MS) */
  shutdownGraceMs: number;
  /** Attempts per task for retryable provider errors. @default 3 (env MAX_ATTEMPTS) */
  maxAttempts: number;
  /** First retry delay; doubles per attempt. @default 1000 (env RETRY_BACKOFF_MS) */
  retryBackoffMs: number;
  /** How long a finished task's Redis log is kept after it is archived to the database. @default 3600 (env LOG_TTL_SECONDS) */
  logTtlSeconds: number;
  /** Directory for media files (images, clips). @default './data/media' (env MEDIA_DIR) */
  mediaDir: string;
  /** Directory of the built client served at `/`. @default './client/dist' */
  clientDir: string;
  /** Build the client at start when it is missing (role all/api). @default true unless CLIENT_BUILD=0 */
  buildClient: boolean;
  /** Where a local Redis is looked for, and started when none answers (REDIS_URL unset). @default 6379 (env LOCAL_REDIS_PORT) */
  localRedisPort: number;
  /** Let the process start a local redis-server when none answers and REDIS_URL is unset. @default true unless START_LOCAL_REDIS=0 */
  startLocalRedis: boolean;
  /** Interval of the sweep that enqueues orphaned tasks and archives unarchived logs. @default 60000 (env SWEEP_INTERVAL_MS) */
  sweepIntervalMs: number;
  /**
   * Bearer token of the Prometheus metrics. Set: GET /metrics on the API port answers with
   * `Authorization: Bearer <token>` and 401 without it (and the metrics port, if any, asks
   * for it too). Unset: /metrics on the API port does not exist (404), like any unknown path.
   * At least 16 characters. @default unset (env METRICS_TOKEN)
   */
  metricsToken: string | undefined;
  /**
   * A separate port serving only GET /metrics and GET /health, in every role (a worker has no
   * other port), for a scraper on a private network; open unless METRICS_TOKEN is set.
   * @default unset: no metrics port (env METRICS_PORT)
   */
  metricsPort: number | undefined;
  /**
   * The queue dashboard (bull-board) at /admin/queues, administrators only: `read-only` shows
   * queues and jobs; `read-write` also lets admins retry, promote, clean and remove jobs;
   * `off` removes it (404). @default 'read-only' (env QUEUE_DASHBOARD)
   */
  queueDashboard: 'read-only' | 'read-write' | 'off';
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/** `N/S`: N requests per S seconds. */
function rate(env: Env, name: string, fallback: RateLimit): RateLimit {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const match = /^(\d{1,9})\/(\d{1,6})$/.exec(raw.trim());
  if (!match || Number(match[2]) < 1) throw new ConfigError(`${name} must be N/S (N requests per S seconds, S at least 1), got "${raw}"`);
  return { points: Number(match[1]), seconds: Number(match[2]) };
}

/** A comma-separated list of origins (scheme://host[:port], nothing after it). */
function origins(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
    .map((o) => {
      let url: URL | null = null;
      try {
        url = new URL(o);
      } catch {
        /* reported below */
      }
      if (!url || !/^https?:$/.test(url.protocol) || url.origin !== o.replace(/\/$/, '')) {
        throw new ConfigError(`${name} must list origins such as https://app.example.com (no path, no "*"), got "${o}"`);
      }
      return url.origin;
    });
}

/** An off-by-default switch: 1/true or 0/false (unset: off). */
function flag(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${name} must be 1, true, 0 or false, got "${raw}"`);
}

/** One of a few words. */
function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!values.includes(raw as T)) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
  return raw as T;
}

/** A secret sent as a bearer token: long enough not to be guessed, and header-safe. */
function metricsToken(env: Env): string | undefined {
  const raw = env.METRICS_TOKEN;
  if (raw === undefined || raw === '') return undefined;
  // Never echo the value in the error: it is a secret.
  if (raw.length < 16 || !/^[\x21-\x7e]+$/.test(raw)) throw new ConfigError('METRICS_TOKEN must be at least 16 printable characters without spaces');
  return raw;
}

function shareLinkSecret(env: Env): string | undefined {
  const raw = env.SHARE_LINK_SECRET;
  if (raw === undefined || raw === '') return undefined;
  // Never echo the value in the error: it is a secret.
  if (raw.length < 32) throw new ConfigError('SHARE_LINK_SECRET must be at least 32 characters');
  return raw;
}

export function parseConfig(env: Env = process.env, argv: string[] = process.argv.slice(2)): Config {
  const roleArg = argv.find((a) => a.startsWith('--role='))?.slice('--role='.length) ?? env.ROLE ?? 'all';
  if (roleArg !== 'all' && roleArg !== 'api' && roleArg !== 'worker') {
    throw new ConfigError(`--role must be one of all, api, worker, got "${roleArg}"`);
  }
  const prefix = env.REDIS_PREFIX ?? 'sp:';
  if (!/^[A-Za-z0-9:_-]*$/.test(prefix)) throw new ConfigError('REDIS_PREFIX may hold only letters, digits, ":", "_" and "-"');
  return {
    role: roleArg,
    port: int(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, '') || undefined,
    clientUrl: env.CLIENT_URL?.replace(/\/+$/, '') || undefined,
    shareLinkSecret: shareLinkSecret(env),
    production: env.NODE_ENV === 'production',
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    maxSubscriptionsPerSocket: int(env, 'MAX_SUBSCRIPTIONS_PER_SOCKET', 20, 1, 1000),
    wsConnectionInitTimeoutMs: int(env, 'WS_CONNECTION_INIT_TIMEOUT_MS', 3000, 100, 60_000),
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: prefix,
    databaseUrl: env.DATABASE_URL || resolve('data/story-pipeline.db'),
    openaiApiKey: env.OPENAI_API_KEY || undefined,
    openaiBaseUrl: env.OPENAI_BASE_URL || undefined,
    providerAllowLoopback: flag(env, 'PROVIDER_ALLOW_LOOPBACK'),
    textMaxTokens: int(env, 'TEXT_MAX_TOKENS', 4000, 1, 1_000_000),
    maxImageBytes: int(env, 'MAX_IMAGE_BYTES', 20 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxVideoBytes: int(env, 'MAX_VIDEO_BYTES', 200 * 1024 * 1024, 1024, 2 * 1024 * 1024 * 1024),
    maxRetryAfterMs: int(env, 'MAX_RETRY_AFTER_MS', 300_000, 0, 86_400_000),
    textModel: env.TEXT_MODEL || 'gpt-4o-mini',
    imageModel: env.IMAGE_MODEL || 'gpt-image-1',
    videoModel: env.VIDEO_MODEL || 'sora-2',
    stageModels: Object.fromEntries(STAGE_NAMES.flatMap((s) => (env[`${s}_MODEL`] ? [[s, env[`${s}_MODEL`]!]] : []))),
    videoPollIntervalMs: int(env, 'VIDEO_POLL_INTERVAL_MS', 5000, 10, 600_000),
    offlineTokenDelayMs: int(env, 'OFFLINE_TOKEN_DELAY_MS', 15, 0, 10_000),
    offlineStepDelayMs: int(env, 'OFFLINE_STEP_DELAY_MS', 400, 0, 60_000),
    offlineClipWidth: int(env, 'OFFLINE_CLIP_WIDTH', 640, 64, 1920),
    speechModel: env.SPEECH_MODEL || 'gpt-4o-mini-tts',
    speechVoices: { en: env.SPEECH_VOICE_EN || 'alloy', zh: env.SPEECH_VOICE_ZH || 'alloy' },
    maxAudioBytes: int(env, 'MAX_AUDIO_BYTES', 25 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    filmHeight: int(env, 'FILM_HEIGHT', 720, 96, 2160),
    sessionTtlDays: int(env, 'SESSION_TTL_DAYS', 30, 1, 3650),
    rateLimits: {
      signUpPerIp: rate(env, 'RATE_SIGNUP_PER_IP', { points: 30, seconds: 3600 }),
      signInPerIp: rate(env, 'RATE_SIGNIN_PER_IP', { points: 100, seconds: 600 }),
      signInPerEmail: rate(env, 'RATE_SIGNIN_PER_EMAIL', { points: 20, seconds: 600 }),
      tasksPerUser: rate(env, 'RATE_TASKS_PER_USER', { points: 60, seconds: 60 }),
      subscriptionsPerUser: rate(env, 'RATE_SUBSCRIPTIONS_PER_USER', { points: 300, seconds: 60 }),
    },
    maxSubscriptionsPerUser: int(env, 'MAX_SUBSCRIPTIONS_PER_USER', 100, 1, 100_000),
    maxSseStreamsPerUser: int(env, 'MAX_SSE_STREAMS_PER_USER', 10, 1, 10_000),
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    initialCredits: int(env, 'INITIAL_CREDITS', 1000, 0, 1_000_000_000),
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 100, 1, 256),
    workerLockMs: int(env, 'WORKER_LOCK_MS', 30_000, 1000, 600_000),
    timeLimitsMs: {
      text: int(env, 'TEXT_TIME_LIMIT_MS', 600_000, 100, 86_400_000),
      image: int(env, 'IMAGE_TIME_LIMIT_MS', 600_000, 100, 86_400_000),
      video: int(env, 'VIDEO_TIME_LIMIT_MS', 1_800_000, 100, 86_400_000),
      audio: int(env, 'AUDIO_TIME_LIMIT_MS', 600_000, 100, 86_400_000),
      film: int(env, 'FILM_TIME_LIMIT_MS', 1_800_000, 100, 86_400_000),
    },
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 3_600_000),
    outageToleranceMs: int(env, 'OUTAGE_TOLERANCE_MS', 60_000, 0, 3_600_000),
    maxAttempts: int(env, 'MAX_ATTEMPTS', 3, 1, 20),
    retryBackoffMs: int(env, 'RETRY_BACKOFF_MS', 1000, 0, 600_000),
    logTtlSeconds: int(env, 'LOG_TTL_SECONDS', 3600, 1, 30 * 86400),
    mediaDir: resolve(env.MEDIA_DIR || 'data/media'),
    clientDir: resolve('client/dist'),
    buildClient: env.CLIENT_BUILD !== '0',
    startLocalRedis: env.START_LOCAL_REDIS !== '0',
    localRedisPort: int(env, 'LOCAL_REDIS_PORT', 6379, 1, 65535),
    sweepIntervalMs: int(env, 'SWEEP_INTERVAL_MS', 60_000, 100, 3_600_000),
    metricsToken: metricsToken(env),
    metricsPort: env.METRICS_PORT ? int(env, 'METRICS_PORT', 0, 1, 65535) : undefined,
    queueDashboard: oneOf(env, 'QUEUE_DASHBOARD', ['read-only', 'read-write', 'off'] as const, 'read-only'),
  };
}
