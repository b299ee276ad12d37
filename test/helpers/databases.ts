// A fresh database per test file: a temp SQLite file, or a new PostgreSQL database.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';

export type TestDialect = 'sqlite' | 'postgres';
export const DIALECTS: TestDialect[] = ['sqlite', 'postgres'];

const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function adminExecute(sql: string): Promise<void> {
  const orm = await MikroORM.init({ driver: PostgreSqlDriver, clientUrl: PG_ADMIN_URL, entities: [], discovery: { warnWhenNoEntities: false }, allowGlobalContext: true });
  try {
    await orm.em.getConnection().execute(sql);
  } finally {
    await orm.close(true);
  }
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const name = `sp_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  if (dialect === 'sqlite') {
    const file = join(tmpdir(), `${name}.db`);
    return { url: file, drop: async () => ['', '-wal', '-shm'].forEach((suffix) => rmSync(file + suffix, { force: true })) };
  }
  await adminExecute(`create database ${name}`);
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return { url, drop: () => adminExecute(`drop database if exists ${name} with (force)`) };
}
