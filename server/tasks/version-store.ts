// The versions of each stage's output (stage_versions). Every completed task adds one and
// makes it current (TaskStore.complete, in the transaction that completes the task); a
// hand edit adds one too; selecting one makes it current again. Downstream stages read
// the current versions, and each version records which upstream versions it was made
// from, so `stale` follows from comparing those with what is current now (stale.ts).
import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { StageVersion, type StageVersionRow } from '../db/entities.ts';
import { parseJson } from '../db/json.ts';
import type { StageName } from '../stages/names.ts';
import type { StageOutput } from '../stages/outputs.ts';
import { hashOf } from '../stages/content-hash.ts';

export type VersionSource = 'RUN' | 'REFINE' | 'EDIT';

/** The upstream versions a version was made from: their ids and content hashes. */
export type MadeFrom = Partial<Record<StageName, { id: string; hash: string }>>;

export interface NewVersion {
  projectId: string;
  ownerId: string;
  stage: StageName;
  source: VersionSource;
  instructions?: string | null;
  taskId?: string | null;
  parentId?: string | null;
  output: StageOutput;
  madeFrom: MadeFrom;
  cacheKey: string | null;
}

export type CurrentVersions = Partial<Record<StageName, StageVersionRow>>;

export interface VersionStore {
  /** The current version of each of these stages that has one. */
  current(projectId: string, stages: readonly StageName[]): Promise<CurrentVersions>;
  /** The current versions of every stage of these projects (one query, for batching). */
  currentOfProjects(projectIds: readonly string[]): Promise<StageVersionRow[]>;
  /** Newest first. */
  list(projectId: string, stage: StageName, first: number): Promise<StageVersionRow[]>;
  find(projectId: string, stage: StageName, id: string): Promise<StageVersionRow | null>;
  /** Makes this version current; false when it is not a version of this project's stage. */
  select(projectId: string, stage: StageName, id: string): Promise<boolean>;
  add(version: NewVersion): Promise<StageVersionRow>;
  /** The newest version of this user's stage descended from a run with this effective input. */
  byCacheKey(ownerId: string, stage: StageName, cacheKey: string): Promise<StageVersionRow | null>;
  /** The instructions of the refines that led to this version, oldest first. */
  instructionsChain(version: StageVersionRow): Promise<string[]>;
  /** Which of these media keys a version of another project shows (a cached run shares its files). */
  sharedMedia(projectId: string, keys: readonly string[]): Promise<Set<string>>;
}

export const outputOf = (version: Pick<StageVersionRow, 'output'>): StageOutput => parseJson<StageOutput>(version.output)!;
export const madeFromOf = (version: Pick<StageVersionRow, 'madeFrom'>): MadeFrom => parseJson<MadeFrom>(version.madeFrom) ?? {};
export const hashOutput = (output: StageOutput): string => hashOf(output);

/** What a reader of these versions records as its origin. */
export function madeFromVersions(versions: CurrentVersions): MadeFrom {
  const made: MadeFrom = {};
  for (const [stage, v] of Object.entries(versions) as Array<[StageName, StageVersionRow]>) made[stage] = { id: v.id, hash: v.contentHash };
  return made;
}

/** Inserts a version and makes it the current one of its stage. Inside the caller's transaction. */
export async function addVersion(em: EntityManager, version: NewVersion): Promise<StageVersionRow> {
  const row: StageVersionRow = {
    id: randomUUID(),
    projectId: version.projectId,
    ownerId: version.ownerId,
    stage: version.stage,
    source: version.source,
    instructions: version.instructions ?? null,
    taskId: version.taskId ?? null,
    parentId: version.parentId ?? null,
    output: JSON.stringify(version.output),
    contentHash: hashOutput(version.output),
    madeFrom: JSON.stringify(version.madeFrom),
    cacheKey: version.cacheKey,
    current: true,
    createdAt: new Date(),
  };
  await em.nativeUpdate(StageVersion, { projectId: version.projectId, stage: version.stage, current: true }, { current: false });
  await em.insert(StageVersion, row);
  return row;
}

const newestFirst = { createdAt: 'desc', id: 'desc' } as const;

export function createVersionStore(deps: { orm: MikroORM }): VersionStore {
  const em = () => deps.orm.em.fork();

  return {
    async current(projectId, stages) {
      if (stages.length === 0) return {};
      const rows = await em().find(StageVersion, { projectId, stage: { $in: [...new Set(stages)] }, current: true }, { orderBy: newestFirst });
      const current: CurrentVersions = {};
      for (const row of rows) current[row.stage as StageName] ??= row; // two racing writers: the newest wins
      return current;
    },

    currentOfProjects: (projectIds) =>
      projectIds.length ? em().find(StageVersion, { projectId: { $in: [...projectIds] }, current: true }, { orderBy: newestFirst }) : Promise.resolve([]),

    list: (projectId, stage, first) => em().find(StageVersion, { projectId, stage }, { orderBy: newestFirst, limit: first }),

    find: (projectId, stage, id) => em().findOne(StageVersion, { id, projectId, stage }),

    async select(projectId, stage, id) {
      return em().transactional(async (tx) => {
        if (!(await tx.findOne(StageVersion, { id, projectId, stage }, { fields: ['id'] }))) return false;
        await tx.nativeUpdate(StageVersion, { projectId, stage, current: true }, { current: false });
        await tx.nativeUpdate(StageVersion, { id }, { current: true });
        return true;
      });
    },

    add: (version) => em().transactional((tx) => addVersion(tx, version)),

    byCacheKey: (ownerId, stage, cacheKey) => em().findOne(StageVersion, { ownerId, stage, cacheKey, source: 'RUN' }, { orderBy: newestFirst }),

    async sharedMedia(projectId, keys) {
      const shared = new Set<string>();
      for (const key of new Set(keys)) {
        if (await em().count(StageVersion, { projectId: { $ne: projectId }, output: { $like: `%/media/${key}%` } })) shared.add(key);
      }
      return shared;
    },

    async instructionsChain(version) {
      const chain: string[] = [];
      let at: StageVersionRow | null = version;
      // Bounded: a chain longer than this is summarised by its latest instructions.
      for (let hops = 0; at && hops < 20; hops++) {
        if (at.source === 'REFINE' && at.instructions) chain.unshift(at.instructions);
        if (at.source === 'RUN' || !at.parentId) break;
        at = await em().findOne(StageVersion, { id: at.parentId });
      }
      return chain;
    },
  };
}
