// Projects belong to one user. Another user's project answers exactly as a missing one.
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';
import { IdempotencyKey, Project, ShareLink, StageVersion, Task, TaskEvent, type ProjectRow } from '../db/entities.ts';
import { BadInputError, longerThan, NotFoundError } from '../errors.ts';

export interface Page {
  first: number;
  after?: string | null;
}

/** `first` is 1 to `max`; out of range is refused naming the argument. */
export function checkPage(page: Page, max = 100): void {
  if (!Number.isInteger(page.first) || page.first < 1 || page.first > max) throw new BadInputError('first', `must be from 1 to ${max}`);
}

export interface CreateProjectInput {
  name: string;
  originalTopic?: string | null;
  originalText?: string | null;
}

export interface ProjectService {
  create(ownerId: string, input: CreateProjectInput): Promise<ProjectRow>;
  /** The project, or NOT_FOUND when it does not exist or is not the user's. */
  get(ownerId: string, id: string): Promise<ProjectRow>;
  find(ownerId: string, id: string): Promise<ProjectRow | null>;
  /** Newest first: at most `first` after the project `after` (BAD_USER_INPUT when it is not one of the user's). */
  list(ownerId: string, page?: Page): Promise<ProjectRow[]>;
  /** The user's projects among these ids (one query, for batching). */
  byIds(ownerId: string, ids: readonly string[]): Promise<ProjectRow[]>;
  /** Deletes the project with its tasks and their logs; `beforeDelete` cancels active tasks. */
  delete(ownerId: string, id: string, beforeDelete: (taskIds: string[]) => Promise<void>): Promise<void>;
}

function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed.length === 0) return null;
  if (longerThan(trimmed, max)) throw new BadInputError(field, `must be at most ${max.toLocaleString('en')} characters`);
  return trimmed;
}

export function validateProject(input: CreateProjectInput): Pick<ProjectRow, 'name' | 'originalTopic' | 'originalText'> {
  const name = (input.name ?? '').trim();
  if (name.length === 0) throw new BadInputError('input.name', 'must not be empty');
  if (longerThan(name, 200)) throw new BadInputError('input.name', 'must be at most 200 characters');
  return {
    name,
    originalTopic: optionalText(input.originalTopic, 'input.originalTopic', 2_000),
    originalText: optionalText(input.originalText, 'input.originalText', 20_000),
  };
}

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

export function createProjectService(deps: { orm: MikroORM }): ProjectService {
  const em = () => deps.orm.em.fork();

  const find = async (ownerId: string, id: string) => (isUuid(id) ? em().findOne(Project, { id, ownerId }) : null);

  return {
    async create(ownerId, input) {
      const fields = validateProject(input);
      const now = new Date();
      const project: ProjectRow = { id: randomUUID(), ownerId, ...fields, createdAt: now, updatedAt: now };
      await em().insert(Project, project);
      return project;
    },
    find,
    async get(ownerId, id) {
      const project = await find(ownerId, id);
      if (!project) throw new NotFoundError('Project', id);
      return project;
    },
    async list(ownerId, page = { first: 50 }) {
      checkPage(page);
      let before = {};
      if (page.after) {
        const cursor = await find(ownerId, page.after);
        if (!cursor) throw new BadInputError('after', 'must be the id of one of your projects');
        before = { $or: [{ createdAt: { $lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { $lt: cursor.id } }] };
      }
      return em().find(Project, { ownerId, ...before }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: page.first });
    },
    byIds: (ownerId, ids) => (ids.length ? em().find(Project, { ownerId, id: { $in: [...ids] } }) : Promise.resolve([])),
    async delete(ownerId, id, beforeDelete) {
      const project = await find(ownerId, id);
      if (!project) throw new NotFoundError('Project', id);
      const tasks = await em().find(Task, { projectId: id }, { fields: ['id'] });
      const taskIds = tasks.map((t) => t.id);
      await beforeDelete(taskIds);
      await em().transactional(async (tx) => {
        if (taskIds.length) {
          await tx.nativeDelete(TaskEvent, { taskId: { $in: taskIds } });
          await tx.nativeDelete(IdempotencyKey, { taskId: { $in: taskIds } });
          await tx.nativeDelete(Task, { projectId: id });
        }
        await tx.nativeDelete(ShareLink, { projectId: id }); // its links open nothing any more
        await tx.nativeDelete(StageVersion, { projectId: id });
        await tx.nativeDelete(Project, { id });
      });
    },
  };
}
