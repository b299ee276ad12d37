// The soak reads the database directly (the API answers only for one user at a time): a
// plain SQL connection through MikroORM's PostgreSQL driver, no entities.
import { MikroORM } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';

export interface SoakDb {
  rows<T>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function openDb(url: string): Promise<SoakDb> {
  const orm = await MikroORM.init({ driver: PostgreSqlDriver, clientUrl: url, entities: [], discovery: { warnWhenNoEntities: false }, allowGlobalContext: true });
  return {
    rows: async <T>(sql: string, params: unknown[] = []) => (await orm.em.getConnection().execute(sql, params)) as T[],
    close: () => orm.close(true),
  };
}

/** A task as the checks need it; times in ms since the epoch. */
export interface TaskRecord {
  id: string;
  ownerId: string;
  stage: string;
  status: string;
  attempt: number;
  lastSeq: number;
  creditsCharged: number;
  createdMs: number;
  finishedMs: number | null;
  pipelineId: string | null;
  /** The stages of its pipeline it waits for (JSON), if any. */
  waitingOn: string | null;
  message: string | null;
}

export async function readTasks(db: SoakDb): Promise<TaskRecord[]> {
  const rows = await db.rows<Record<string, string | number | null>>(
    `select id, owner_id, stage, status, attempt, last_seq, credits_charged, pipeline_id, waiting_on, message,
            extract(epoch from created_at) * 1000 as created_ms, extract(epoch from finished_at) * 1000 as finished_ms
       from tasks order by created_at`,
  );
  return rows.map((r) => ({
    id: String(r.id),
    ownerId: String(r.owner_id),
    stage: String(r.stage),
    status: String(r.status),
    attempt: Number(r.attempt),
    lastSeq: Number(r.last_seq),
    creditsCharged: Number(r.credits_charged),
    createdMs: Number(r.created_ms),
    finishedMs: r.finished_ms === null ? null : Number(r.finished_ms),
    pipelineId: r.pipeline_id === null ? null : String(r.pipeline_id),
    waitingOn: r.waiting_on === null ? null : String(r.waiting_on),
    message: r.message === null ? null : String(r.message),
  }));
}

/** Tasks not yet final, by status. */
export async function activeCounts(db: SoakDb): Promise<Record<string, number>> {
  const rows = await db.rows<{ status: string; n: string | number }>(`select status, count(*) as n from tasks where status in ('QUEUED', 'RUNNING', 'RETRYING') group by status`);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
