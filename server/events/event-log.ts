// A task's durable event log in Redis: a hash of live state (`meta`), a stream of events
// whose entry ids are their seq (`log`), the current attempt's text (`text`) and a pub/sub
// channel. Every write goes through one of three Lua scripts, so seq, log and publish
// never disagree. Reads fall back to the database archive once Redis has let a log expire.
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { Metrics } from '../observability/metrics.ts';
import type { RedisKeys } from '../redis/keys.ts';
import type { StageName } from '../stages/names.ts';
import { leaseArg, type AttemptLease, type Lease } from './lease.ts';
import { isFinalEvent, type EventBody, type StageEventData } from './types.ts';

const script = (name: string) => readFileSync(new URL(`./scripts/${name}.lua`, import.meta.url), 'utf8');

/** The appender's lease no longer holds: another worker runs this task now, or it has ended. */
export class LeaseLostError extends Error {
  constructor(
    readonly taskId: string,
    readonly reason: 'lease' | 'ended' | 'missing',
  ) {
    super(`task ${taskId}: cannot append (${reason})`);
    this.name = 'LeaseLostError';
  }
}

export interface TaskRef {
  taskId: string;
  projectId: string;
  stage: StageName;
}

/** Who produced events: named on each event a worker writes. */
export interface Producer {
  provider: string;
  model: string;
}

export interface LogMeta {
  seq: number;
  status: string;
  attempt: number;
  progress: number;
  final: boolean;
  /** When the log last moved (epoch ms). */
  touched: number;
}

export interface AppendOptions {
  /**
   * The writer's key for this append (unique per lease): replaying it after a lost reply
   * is recognised and not applied twice. A writer must have one keyed append in flight at a time.
   */
  key?: string;
}

/** Where archived logs are read from once Redis no longer has them. */
export interface LogArchive {
  read(taskId: string, after: number, limit: number): Promise<StageEventData[]>;
  /** The seq of an archived log's final event, or null when the task has no archived log. */
  endSeq(taskId: string): Promise<number | null>;
}

export interface EventLog {
  init(ref: TaskRef): Promise<boolean>;
  /** The attempt takes the lease (a takeover replaces the previous holder); returns its number. */
  startAttempt(ref: TaskRef, lease: AttemptLease, by?: Producer): Promise<number>;
  /** Appends events as one atomic step, refused unless `lease` still holds (the authority's always does). */
  append(ref: TaskRef, lease: Lease, bodies: EventBody[], by?: Producer, opts?: AppendOptions): Promise<number>;
  /** Events with seq > after, oldest first, at most `limit`; from Redis, else the archive. */
  read(taskId: string, after: number, limit?: number): Promise<StageEventData[]>;
  meta(taskId: string): Promise<LogMeta | null>;
  /** The seq of the log's final event once the log has ended, else null. */
  endSeq(taskId: string): Promise<number | null>;
  /**
   * Live state and the current attempt's text, read in one atomic step: the text is exactly
   * the text as of `meta.seq`, so a client may show it and resume from that seq. Null when
   * Redis has no log.
   */
  snapshot(taskId: string): Promise<{ meta: LogMeta; text: string } | null>;
  /** After archiving: let Redis drop the log after `seconds`. */
  expire(taskId: string, seconds: number): Promise<void>;
  channel(taskId: string): string;
}

type ScriptedRedis = Redis & {
  spInitLog(meta: string, log: string, ...args: string[]): Promise<number>;
  spAppend(meta: string, log: string, text: string, ...args: string[]): Promise<number>;
  spStartAttempt(meta: string, log: string, text: string, ...args: string[]): Promise<number>;
};

function defineScripts(redis: Redis): ScriptedRedis {
  const r = redis as ScriptedRedis;
  if (typeof (r as Partial<ScriptedRedis>).spAppend !== 'function') {
    r.defineCommand('spInitLog', { numberOfKeys: 2, lua: script('init-log') });
    r.defineCommand('spAppend', { numberOfKeys: 3, lua: script('append') });
    r.defineCommand('spStartAttempt', { numberOfKeys: 3, lua: script('start-attempt') });
  }
  return r;
}

function bodyJson(ref: TaskRef, body: EventBody, by?: Producer): string {
  // Key order is the contract's: the script prepends seq and attempt.
  return JSON.stringify({ taskId: ref.taskId, projectId: ref.projectId, stage: ref.stage, at: new Date().toISOString(), ...body, ...by });
}

function toMeta(m: Record<string, string>): LogMeta | null {
  if (!m.seq) return null;
  return { seq: Number(m.seq), status: m.status, attempt: Number(m.attempt), progress: Number(m.progress), final: m.final === '1', touched: Number(m.touched ?? 0) };
}

function check(taskId: string, result: number): number {
  if (result === -1) throw new LeaseLostError(taskId, 'lease');
  if (result === -2) throw new LeaseLostError(taskId, 'ended');
  if (result === -3) throw new LeaseLostError(taskId, 'missing');
  return result;
}

export function createEventLog(deps: { redis: Redis; keys: RedisKeys; archive: LogArchive; metrics?: Metrics }): EventLog {
  const redis = defineScripts(deps.redis);
  const { keys, archive } = deps;

  return {
    channel: (taskId) => keys.taskChannel(taskId),

    async init(ref) {
      const body = bodyJson(ref, { type: 'status', status: 'QUEUED', message: null });
      const created = await redis.spInitLog(
        keys.taskMeta(ref.taskId),
        keys.taskLog(ref.taskId),
        keys.taskChannel(ref.taskId),
        keys.stageChannel(ref.projectId, ref.stage),
        body,
        ref.taskId,
      );
      if (created === 1) deps.metrics?.eventsAppended('status');
      return created === 1;
    },

    async startAttempt(ref, lease, by) {
      const body = bodyJson(ref, { type: 'status', status: 'RUNNING', message: null }, by);
      const result = await redis.spStartAttempt(
        keys.taskMeta(ref.taskId),
        keys.taskLog(ref.taskId),
        keys.taskText(ref.taskId),
        leaseArg(lease),
        keys.taskChannel(ref.taskId),
        body,
      );
      const attempt = check(ref.taskId, result);
      deps.metrics?.eventsAppended('status');
      return attempt;
    },

    async append(ref, lease, bodies, by, opts) {
      const args: string[] = [leaseArg(lease), keys.taskChannel(ref.taskId), String(bodies.length), opts?.key ?? ''];
      for (const body of bodies) {
        args.push(
          bodyJson(ref, body, by),
          body.type === 'status' ? body.status : '',
          body.type === 'token' ? body.delta : '',
          body.type === 'progress' ? String(body.progress) : body.type === 'completed' ? '100' : '',
          isFinalEvent(body) ? '1' : '0',
        );
      }
      const result = await redis.spAppend(keys.taskMeta(ref.taskId), keys.taskLog(ref.taskId), keys.taskText(ref.taskId), ...args);
      const seq = check(ref.taskId, result);
      for (const body of bodies) deps.metrics?.eventsAppended(body.type);
      return seq;
    },

    async read(taskId, after, limit = 1000) {
      const entries = await redis.xrange(keys.taskLog(taskId), `${after + 1}-0`, '+', 'COUNT', limit);
      if (entries.length > 0) return entries.map(([, fields]) => JSON.parse(fields[1]) as StageEventData);
      // An empty range is either "nothing yet" or "Redis no longer has this log".
      if ((await redis.exists(keys.taskMeta(taskId))) === 1) return [];
      return archive.read(taskId, after, limit);
    },

    async meta(taskId) {
      return toMeta(await redis.hgetall(keys.taskMeta(taskId)));
    },

    async snapshot(taskId) {
      const [[, m], [, text]] = (await redis.multi().hgetall(keys.taskMeta(taskId)).get(keys.taskText(taskId)).exec()) as [
        [null, Record<string, string>],
        [null, string | null],
      ];
      const meta = toMeta(m);
      return meta && { meta, text: text ?? '' };
    },

    async endSeq(taskId) {
      const [seq, final] = await redis.hmget(keys.taskMeta(taskId), 'seq', 'final');
      if (seq !== null) return final === '1' ? Number(seq) : null;
      return archive.endSeq(taskId);
    },

    async expire(taskId, seconds) {
      await redis
        .multi()
        .expire(keys.taskMeta(taskId), seconds)
        .expire(keys.taskLog(taskId), seconds)
        .expire(keys.taskText(taskId), seconds)
        .exec();
    },
  };
}
