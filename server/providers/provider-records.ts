// Model providers as records (name, kind, OpenAI-compatible base URL, the environment
// variable holding its key, model, active flag, priority), managed by admins over GraphQL.
// Workers read them at the start of every attempt, so a change applies to the next attempt.
// The offline providers are the last resort, used only when no provider of a kind is active;
// they are handed in (server/offline/ builds them), so this layer never imports the engine.
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/core';
import type { Config } from '../config.ts';
import { ModelProvider, type ModelProviderRow } from '../db/entities.ts';
import { BadInputError, ConflictError, NotFoundError } from '../errors.ts';
import { failoverImage, failoverText, failoverVideo } from './failover.ts';
import { createOpenAIImageProvider, createOpenAIVideoProvider } from './openai-media.ts';
import { createOpenAITextProvider } from './openai-text.ts';
import type { Providers } from './providers.ts';

export const PROVIDER_KINDS = ['text', 'image', 'video'] as const;
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
  /** Whether the record's key variable is set for this process. */
  keyPresent(row: ModelProviderRow): boolean;
}

function validate(fields: Partial<ProviderFields>, partial: boolean): Partial<ProviderFields> {
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
    if (fields.baseUrl !== null && fields.baseUrl !== '') {
      let url: URL | null = null;
      try {
        url = new URL(fields.baseUrl);
      } catch {
        /* refused below */
      }
      if (!url || !/^https?:$/.test(url.protocol)) throw new BadInputError('input.baseUrl', 'must be an http(s) URL such as https://api.openai.com/v1');
    }
    out.baseUrl = fields.baseUrl || null;
  }
  if (need('apiKeyEnv')) {
    if (!/^[A-Z_][A-Z0-9_]{0,127}$/.test(fields.apiKeyEnv ?? '')) {
      throw new BadInputError('input.apiKeyEnv', 'must be the NAME of an environment variable (A-Z, 0-9, _), never the key itself');
    }
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
}): ProviderRecords {
  const { orm, config, offline } = deps;
  // Keys are read from the environment by name; the configured OPENAI_API_KEY is one of them.
  const env: Record<string, string | undefined> = { ...(deps.env ?? process.env), ...(config.openaiApiKey ? { OPENAI_API_KEY: config.openaiApiKey } : {}) };
  const em = () => orm.em.fork();

  /** Client options of a record, or null when its key is not set on this machine. */
  const clientOptions = (row: ModelProviderRow) => {
    const apiKey = env[row.apiKeyEnv];
    return apiKey ? { apiKey, baseURL: row.baseUrl ?? undefined, model: row.model, name: row.name } : null;
  };

  const records: ProviderRecords = {
    list: () => em().find(ModelProvider, {}, { orderBy: { kind: 'asc', priority: 'desc', name: 'asc' } }),

    async create(fields) {
      const valid = validate(fields, false) as ProviderFields;
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
      try {
        await em().insert(ModelProvider, row);
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) throw new ConflictError(`A provider named ${row.name} already exists.`);
        throw err;
      }
      return row;
    },

    async update(id, patch) {
      const valid = validate(patch, true);
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
      const models: Record<ProviderKind, string> = { text: config.textModel, image: config.imageModel, video: config.videoModel };
      for (const kind of PROVIDER_KINDS) {
        const name = `openai-${kind}`;
        if (await em().findOne(ModelProvider, { name })) continue;
        await records
          .create({ name, kind, baseUrl: config.openaiBaseUrl ?? null, apiKeyEnv: 'OPENAI_API_KEY', model: models[kind], active: true, priority: 100 })
          .catch((err) => {
            if (!(err instanceof ConflictError)) throw err; // another process seeded it first
          });
      }
    },

    keyPresent: (row) => !!env[row.apiKeyEnv],

    async resolve() {
      const rows = await em().find(ModelProvider, { active: true }, { orderBy: { priority: 'desc', name: 'asc' } });
      const usable = (kind: ProviderKind) =>
        rows.filter((r) => r.kind === kind).flatMap((r) => {
          const opts = clientOptions(r);
          return opts ? [opts] : [];
        });
      const text = usable('text').map((o) => createOpenAITextProvider(o));
      const image = usable('image').map((o) => createOpenAIImageProvider(o));
      const video = usable('video').map((o) => createOpenAIVideoProvider({ ...o, pollIntervalMs: config.videoPollIntervalMs }));
      return {
        text: text.length ? failoverText(text) : offline.text,
        image: image.length ? failoverImage(image) : offline.image,
        video: video.length ? failoverVideo(video) : offline.video,
      };
    },
  };
  return records;
}
