// Model providers as records (name, kind, OpenAI-compatible base URL, the environment
// variable holding its key, model, active flag, priority), managed by admins over GraphQL.
// Workers read them at the start of every attempt, so a change applies to the next attempt.
// The offline providers are the last resort, used only when no provider of a kind is active;
// they are handed in (server/offline/ builds them), so this layer never imports the engine.
// A record reads its key only from the variables set aside for providers (provider-rules.ts)
// and reaches the network only through the guarded dispatcher.
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/core';
import type { Config } from '../config.ts';
import { ModelProvider, type ModelProviderRow } from '../db/entities.ts';
import { BadInputError, ConflictError, NotFoundError } from '../errors.ts';
import type { Metrics } from '../observability/metrics.ts';
import { instrumentProvider } from '../observability/provider-metrics.ts';
import { failoverAudio, failoverImage, failoverText, failoverVideo } from './failover.ts';
import { createGuardedDispatcher } from './guarded-dispatcher.ts';
import type { ProviderTransport } from './openai-client.ts';
import { createOpenAIImageProvider, createOpenAIVideoProvider } from './openai-media.ts';
import { createOpenAISpeechProvider } from './openai-speech.ts';
import { createOpenAITextProvider } from './openai-text.ts';
import { BASE_URL_RULE, baseUrlProblem, isAllowedKeyEnv, KEY_ENV_RULE, SEEDED_KEY_ENV } from './provider-rules.ts';
import type { Providers } from './providers.ts';

export const PROVIDER_KINDS = ['text', 'image', 'video', 'audio'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export interface ProviderFields {
  name: string;
  kind: ProviderKind;
  baseUrl?: string | null;
  apiKeyEnv: string;
  model: string;
  active?: boolean | null;
  priority?: number | null;
}

export interface ProviderRecords {
  list(): Promise<ModelProviderRow[]>;
  create(fields: ProviderFields): Promise<ModelProviderRow>;
  update(id: string, patch: Partial<ProviderFields>): Promise<ModelProviderRow>;
  delete(id: string): Promise<void>;
  /** Records a provider from OPENAI_API_KEY / OPENAI_BASE_URL, once. */
  seed(): Promise<void>;
  /** The providers a stage uses now: active records by priority, else offline. */
  resolve(): Promise<Providers>;
  /** Whether the record's key variable is one providers may use, and is set for this process. */
  keyPresent(row: ModelProviderRow): boolean;
}

function validate(fields: Partial<ProviderFields>, partial: boolean, allowLoopback: boolean): Partial<ProviderFields> {
  const out: Partial<ProviderFields> = {};
  const need = (key: keyof ProviderFields) => !partial || fields[key] !== undefined;
  if (need('name')) {
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(fields.name ?? '')) throw new BadInputError('input.name', 'must be 1 to 64 lowercase letters, digits or dashes');
    out.name = fields.name;
  }
  if (need('kind')) {
    if (!PROVIDER_KINDS.includes(fields.kind as ProviderKind)) throw new BadInputError('input.kind', `must be one of ${PROVIDER_KINDS.join(', ')}`);
    out.kind = fields.kind;
  }
  if (fields.baseUrl !== undefined) {
    const problem = fields.baseUrl ? baseUrlProblem(fields.baseUrl, { allowLoopback }) : null;
    if (problem) throw new BadInputError('input.baseUrl', `${BASE_URL_RULE}; refused: ${problem}`);
    out.baseUrl = fields.baseUrl || null;
  }
  if (need('apiKeyEnv')) {
    if (!isAllowedKeyEnv(fields.apiKeyEnv ?? '')) throw new BadInputError('input.apiKeyEnv', KEY_ENV_RULE);
    out.apiKeyEnv = fields.apiKeyEnv;
  }
  if (need('model')) {
    if (!fields.model || fields.model.length > 128) throw new BadInputError('input.model', 'must be 1 to 128 characters');
    out.model = fields.model;
  }
  if (fields.active !== undefined && fields.active !== null) out.active = fields.active;
  if (fields.priority !== undefined && fields.priority !== null) {
    if (!Number.isInteger(fields.priority) || Math.abs(fields.priority) > 1000) throw new BadInputError('input.priority', 'must be an integer from -1000 to 1000');
    out.priority = fields.priority;
  }
  return out;
}

export function createProviderRecords(deps: {
  orm: MikroORM;
  config: Config;
  /** What serves a kind with no active provider (the offline engine). */
  offline: Providers;
  env?: Record<string, string | undefined>;
  /** Counts every provider's calls and failures (by class). */
  metrics?: Metrics;
}): ProviderRecords {
  const { orm, config, offline } = deps;
  // Keys are read from the environment by name; the configured OPENAI_API_KEY is one of them.
  const env: Record<string, string | undefined> = { ...(deps.env ?? process.env), ...(config.openaiApiKey ? { [SEEDED_KEY_ENV]: config.openaiApiKey } : {}) };
  // Only allowed names: a record saved before the rule existed cannot read DATABASE_URL either.
  const keyOf = (row: ModelProviderRow) => (isAllowedKeyEnv(row.apiKeyEnv) ? env[row.apiKeyEnv] : undefined);
  const em = () => orm.em.fork();
  const allowLoopback = config.providerAllowLoopback;
  const transport: ProviderTransport = { dispatcher: createGuardedDispatcher({ allowLoopback }), maxRetryAfterMs: config.maxRetryAfterMs };

  /** Client options of a record, or null when it has no usable key on this machine. */
  const clientOptions = (row: ModelProviderRow) => {
    const apiKey = keyOf(row);
    return apiKey ? { apiKey, baseURL: row.baseUrl ?? undefined, model: row.model, name: row.name, transport } : null;
  };

  const insert = async (row: ModelProviderRow) => {
    try {
      await em().insert(ModelProvider, row);
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw new ConflictError(`A provider named ${row.name} already exists.`);
      throw err;
    }
    return row;
  };

  const records: ProviderRecords = {
    list: () => em().find(ModelProvider, {}, { orderBy: { kind: 'asc', priority: 'desc', name: 'asc' } }),

    async create(fields) {
      const valid = validate(fields, false, allowLoopback) as ProviderFields;
      const now = new Date();
      const row: ModelProviderRow = {
        id: randomUUID(),
        name: valid.name,
        kind: valid.kind,
        baseUrl: valid.baseUrl ?? null,
        apiKeyEnv: valid.apiKeyEnv,
        model: valid.model,
        active: valid.active ?? true,
        priority: valid.priority ?? 0,
        createdAt: now,
        updatedAt: now,
      };
      return insert(row);
    },

    async update(id, patch) {
      const valid = validate(patch, true, allowLoopback);
      const n = await em().nativeUpdate(ModelProvider, { id }, { ...valid, updatedAt: new Date() }).catch((err) => {
        if (err instanceof UniqueConstraintViolationException) throw new ConflictError(`A provider named ${valid.name} already exists.`);
        throw err;
      });
      if (n === 0) throw new NotFoundError('Provider', id);
      return (await em().findOne(ModelProvider, { id }))!;
    },

    async delete(id) {
      if ((await em().nativeDelete(ModelProvider, { id })) === 0) throw new NotFoundError('Provider', id);
    },

    async seed() {
      if (!config.openaiApiKey) return;
      const models: Record<ProviderKind, string> = { text: config.textModel, image: config.imageModel, video: config.videoModel, audio: config.speechModel };
      for (const kind of PROVIDER_KINDS) {
        const name = `openai-${kind}`;
        if (await em().findOne(ModelProvider, { name })) continue;
        // The operator's own configuration: not held to the admin's URL rule, but its
        // connections still go through the guarded dispatcher like every other.
        const now = new Date();
        const row: ModelProviderRow = {
          id: randomUUID(),
          name,
          kind,
          baseUrl: config.openaiBaseUrl ?? null,
          apiKeyEnv: SEEDED_KEY_ENV,
          model: models[kind],
          active: true,
          priority: 100,
          createdAt: now,
          updatedAt: now,
        };
        await insert(row).catch((err) => {
          if (!(err instanceof ConflictError)) throw err; // another process seeded it first
        });
      }
    },

    keyPresent: (row) => !!keyOf(row),

    async resolve() {
      const rows = await em().find(ModelProvider, { active: true }, { orderBy: { priority: 'desc', name: 'asc' } });
      const usable = (kind: ProviderKind) =>
        rows.filter((r) => r.kind === kind).flatMap((r) => {
          const opts = clientOptions(r);
          return opts ? [opts] : [];
        });
      // Each provider counted on its own, so a failover chain shows which one failed.
      const counted = <P extends { readonly name: string }>(kind: ProviderKind, provider: P) => instrumentProvider(provider, kind, deps.metrics);
      const text = usable('text').map((o) => counted('text', createOpenAITextProvider({ ...o, maxTokens: config.textMaxTokens })));
      const image = usable('image').map((o) => counted('image', createOpenAIImageProvider({ ...o, maxBytes: config.maxImageBytes })));
      const video = usable('video').map((o) => counted('video', createOpenAIVideoProvider({ ...o, maxBytes: config.maxVideoBytes, pollIntervalMs: config.videoPollIntervalMs })));
      const audio = usable('audio').map((o) => counted('audio', createOpenAISpeechProvider({ ...o, maxBytes: config.maxAudioBytes, voices: config.speechVoices })));
      return {
        text: text.length ? failoverText(text) : counted('text', offline.text),
        image: image.length ? failoverImage(image) : counted('image', offline.image),
        video: video.length ? failoverVideo(video) : counted('video', offline.video),
        audio: audio.length ? failoverAudio(audio) : counted('audio', offline.audio),
      };
    },
  };
  return records;
}
