// The database model. Live task state (seq, tokens, progress) lives in Redis; the database
// holds what must outlive Redis: accounts, projects, each task's lifecycle, the credit
// ledger, idempotency keys and, once a task ends, its archived event log.
// A stage's state per project is derived from its tasks (the newest one), never stored twice.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.string().length(36).primary(),
    email: p.string().length(254).unique(),
    passwordHash: p.string().length(200),
    credits: p.integer(),
    /** Administrators manage the model providers; granted only by an operator (`npm run admin`). */
    isAdmin: p.boolean().default(false),
    createdAt: p.datetime(),
  },
});

/** Bearer tokens, stored only as SHA-256 hashes: a database leak yields no usable token. */
export const AuthToken = defineEntity({
  name: 'AuthToken',
  tableName: 'auth_tokens',
  properties: {
    tokenHash: p.string().length(64).primary(),
    userId: p.string().length(36).index(),
    createdAt: p.datetime(),
    /** Sliding: each use moves it forward (at most once a minute); past it the token is refused and pruned. */
    expiresAt: p.datetime().index(),
  },
});

export const Project = defineEntity({
  name: 'Project',
  tableName: 'projects',
  properties: {
    id: p.string().length(36).primary(),
    ownerId: p.string().length(36).index(),
    name: p.string().length(200),
    originalTopic: p.text().nullable(),
    originalText: p.text().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export const Task = defineEntity({
  name: 'Task',
  tableName: 'tasks',
  indexes: [{ properties: ['projectId', 'stage', 'createdAt'] }, { properties: ['status', 'createdAt'] }],
  properties: {
    id: p.string().length(36).primary(),
    projectId: p.string().length(36),
    ownerId: p.string().length(36).index(),
    stage: p.string().length(32),
    status: p.string().length(16),
    /** `projectId:stage` while the task is active, null after: the unique index allows one active task per (project, stage). */
    activeKey: p.string().length(80).nullable().unique(),
    /** Stage options as JSON text. */
    input: p.text(),
    attempt: p.integer(),
    maxAttempts: p.integer(),
    progress: p.integer(),
    message: p.text().nullable(),
    /** The final attempt's text (text stages), written when the task ends. */
    text: p.text().nullable(),
    output: p.text().nullable(),
    error: p.text().nullable(),
    tokensUsed: p.integer().nullable(),
    creditsCharged: p.integer(),
    lastSeq: p.integer(),
    provider: p.string().length(64).nullable(),
    model: p.string().length(128).nullable(),
    createdAt: p.datetime(),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
    processingTimeMs: p.integer().nullable(),
    /** Set when the event log has been copied from Redis to task_events. */
    archivedAt: p.datetime().nullable(),
    /** The runPipeline call this task belongs to, if any. */
    pipelineId: p.string().length(36).nullable().index(),
    /** JSON list of the stages of its pipeline this task waits for; it is enqueued once they completed. */
    waitingOn: p.text().nullable(),
    /** Text stages: model tokens per second of the attempt that completed it. */
    tokensPerSecond: p.float().nullable(),
    /** REUSE: an unchanged effective input completes from the earlier output; FRESH: always runs (see tasks/cache.ts). */
    cachePolicy: p.string().length(8).default('REUSE'),
    /** True when the output was reused from an earlier version with the same effective input. */
    cached: p.boolean().default(false),
    /** A refineStage task: JSON { instructions, history, baseVersionId, baseText } (see tasks/refine-stage.ts); null for a run. */
    refine: p.text().nullable(),
  },
});

/**
 * Every output a stage of a project has had: each completed task (RUN, REFINE) and each
 * hand edit (EDIT). One per (project, stage) is current: what the stage shows and what the
 * stages after it read.
 */
export const StageVersion = defineEntity({
  name: 'StageVersion',
  tableName: 'stage_versions',
  indexes: [{ properties: ['projectId', 'stage', 'createdAt'] }, { properties: ['ownerId', 'stage', 'cacheKey'] }],
  properties: {
    id: p.string().length(36).primary(),
    projectId: p.string().length(36),
    ownerId: p.string().length(36),
    stage: p.string().length(32),
    /** RUN, REFINE or EDIT. */
    source: p.string().length(8),
    /** The user's instructions (REFINE). */
    instructions: p.text().nullable(),
    /** The task that produced it (RUN, REFINE). */
    taskId: p.string().length(36).nullable(),
    /** The version it revised (REFINE, EDIT): the chain of a refine's earlier instructions. */
    parentId: p.string().length(36).nullable(),
    /** The output as JSON text. */
    output: p.text(),
    /** SHA-256 of the output: what the stages after it compare to tell whether they are stale. */
    contentHash: p.string().length(64),
    /** JSON { STAGE: { id, hash } } of the upstream versions it was made from. */
    madeFrom: p.text(),
    /** The effective-input key of the run it descends from (tasks/cache.ts); null when unknown. */
    cacheKey: p.string().length(64).nullable(),
    current: p.boolean(),
    createdAt: p.datetime(),
  },
});

/** Every credit movement; users.credits is the running balance, kept in the same transactions. */
export const CreditEntry = defineEntity({
  name: 'CreditEntry',
  tableName: 'credit_ledger',
  properties: {
    id: p.string().length(36).primary(),
    userId: p.string().length(36).index(),
    taskId: p.string().length(36).nullable(),
    delta: p.integer(),
    reason: p.string().length(32),
    createdAt: p.datetime(),
  },
  uniques: [{ properties: ['taskId', 'reason'] }],
});

export const IdempotencyKey = defineEntity({
  name: 'IdempotencyKey',
  tableName: 'idempotency_keys',
  properties: {
    userId: p.string().length(36).primary(),
    key: p.string().length(200).primary(),
    taskId: p.string().length(36),
    /** SHA-256 of (project, stage, input): the same key with another request is a CONFLICT. */
    requestHash: p.string().length(64),
    createdAt: p.datetime(),
  },
});

export const TaskEvent = defineEntity({
  name: 'TaskEvent',
  tableName: 'task_events',
  properties: {
    taskId: p.string().length(36).primary(),
    seq: p.integer().primary(),
    /** The event as JSON, exactly as it was in the Redis log. */
    payload: p.text(),
  },
});

/**
 * A model provider: an OpenAI-compatible endpoint for one kind of stage. The key itself is
 * never stored, only the name of the environment variable that holds it.
 */
export const ModelProvider = defineEntity({
  name: 'ModelProvider',
  tableName: 'model_providers',
  properties: {
    id: p.string().length(36).primary(),
    name: p.string().length(64).unique(),
    /** text, image, video or audio */
    kind: p.string().length(16),
    baseUrl: p.string().length(500).nullable(),
    apiKeyEnv: p.string().length(128),
    model: p.string().length(128),
    active: p.boolean(),
    /** Higher first; the next one takes over on a retryable error. */
    priority: p.integer(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

/**
 * Which task stored each media file, so the files of a task that fails or is cancelled
 * part-way (and of attempts that were retried) can be deleted: nothing else points at them.
 */
export const MediaFile = defineEntity({
  name: 'MediaFile',
  tableName: 'media_files',
  properties: {
    key: p.string().length(64).primary(),
    taskId: p.string().length(36).index(),
    createdAt: p.datetime(),
  },
});

/**
 * Read-only links to one project. The token is an HMAC of the link's id under a server
 * secret (so the owner's list can show it again) and only its SHA-256 is stored, like a
 * session token's: the table alone yields no usable token (see SHARE_LINK_SECRET).
 */
export const ShareLink = defineEntity({
  name: 'ShareLink',
  tableName: 'share_links',
  properties: {
    id: p.string().length(36).primary(),
    tokenHash: p.string().length(64).unique(),
    projectId: p.string().length(36).index(),
    ownerId: p.string().length(36),
    createdAt: p.datetime(),
  },
});

/** Secrets the server makes for itself on first start, shared by every instance (the share-link key). */
export const ServerSecret = defineEntity({
  name: 'ServerSecret',
  tableName: 'server_secrets',
  properties: {
    name: p.string().length(64).primary(),
    value: p.string().length(128),
    createdAt: p.datetime(),
  },
});

export const entities = [User, AuthToken, Project, Task, CreditEntry, IdempotencyKey, TaskEvent, ModelProvider, MediaFile, ShareLink, ServerSecret, StageVersion];

export type UserRow = InferEntity<typeof User>;
export type ProjectRow = InferEntity<typeof Project>;
export type TaskRow = InferEntity<typeof Task>;
export type ModelProviderRow = InferEntity<typeof ModelProvider>;
export type MediaFileRow = InferEntity<typeof MediaFile>;
export type ShareLinkRow = InferEntity<typeof ShareLink>;
export type StageVersionRow = InferEntity<typeof StageVersion>;
