// Recent runs of each stage, kept in Redis as short capped lists: the lengths and speeds of
// text answers (per stage, provider, model and language) and the durations of every stage.
// Estimates (a text stage's length, a pipeline's ETA) are made from them. One LRANGE to read,
// one pipelined LPUSH+LTRIM to record: nothing per token.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys.ts';

/** How many recent runs each list keeps. */
const KEEP = 50;
/** Lists of a stage no run has touched for this long go. */
const TTL_SECONDS = 30 * 86_400;

export interface TextSample {
  /** Characters of the material the model was given. */
  inputChars: number;
  /** Model tokens of the answer. */
  outputTokens: number;
  tokensPerSecond: number;
  /** From the attempt's start to its first token. */
  firstTokenMs: number;
}

export interface TextHistoryKey {
  stage: string;
  provider: string;
  model: string;
  language: string;
}

export interface StageHistory {
  recordText(key: TextHistoryKey, sample: TextSample): Promise<void>;
  textSamples(key: TextHistoryKey): Promise<TextSample[]>;
  /** A completed task's run time (first start to end), any provider. */
  recordDuration(stage: string, ms: number): Promise<void>;
  /** The recent durations (ms) of each of these stages, newest first. */
  durations(stages: readonly string[]): Promise<Record<string, number[]>>;
}

const textName = (k: TextHistoryKey) => `text:${k.stage}:${k.provider}:${k.model}:${k.language}`;

export function createStageHistory(deps: { redis: Redis; keys: RedisKeys }): StageHistory {
  const push = async (name: string, value: string) => {
    const key = deps.keys.stageHistory(name);
    await deps.redis.multi().lpush(key, value).ltrim(key, 0, KEEP - 1).expire(key, TTL_SECONDS).exec();
  };
  const parse = <T>(raw: string): T | null => {
    try {
      return JSON.parse(raw) as T;
    } catch {
      return null;
    }
  };
  return {
    recordText: (key, sample) => push(textName(key), JSON.stringify(sample)),
    async textSamples(key) {
      const raw = await deps.redis.lrange(deps.keys.stageHistory(textName(key)), 0, -1);
      return raw.map((r) => parse<TextSample>(r)).filter((s): s is TextSample => s !== null && s.outputTokens > 0);
    },
    recordDuration: (stage, ms) => push(`duration:${stage}`, String(Math.round(ms))),
    async durations(stages) {
      const pipeline = deps.redis.pipeline();
      for (const stage of stages) pipeline.lrange(deps.keys.stageHistory(`duration:${stage}`), 0, -1);
      const results = (await pipeline.exec()) ?? [];
      return Object.fromEntries(
        stages.map((stage, i) => [stage, ((results[i]?.[1] as string[] | undefined) ?? []).map(Number).filter((n) => Number.isFinite(n) && n >= 0)]),
      );
    },
  };
}
