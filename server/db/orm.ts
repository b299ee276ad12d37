import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities.ts';
import { sqliteMigrations } from './migrations/sqlite/index.ts';
import { postgresMigrations } from './migrations/postgres/index.ts';

export type Dialect = 'sqlite' | 'postgres';

export function dialectOf(databaseUrl: string): Dialect {
  return /^postgres(ql)?:\/\//.test(databaseUrl) ? 'postgres' : 'sqlite';
}

/** ORM options for a database URL; tests pass their own URL (a temp file or a fresh PostgreSQL database). */
export function ormOptions(databaseUrl: string, overrides: Partial<Options> = {}): Options {
  const dialect = dialectOf(databaseUrl);
  const common = {
    entities,
    extensions: [Migrator],
    // Request-scoped forks are explicit (em.fork()); the global context is never used implicitly.
    allowGlobalContext: false,
    debug: false,
    migrations: {
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      migrationsList: dialect === 'postgres' ? postgresMigrations : sqliteMigrations,
      path: `server/db/migrations/${dialect}`,
      pathTs: `server/db/migrations/${dialect}`,
      snapshot: false,
      silent: true,
    },
    ...overrides,
  } satisfies Partial<Options>;
  if (dialect === 'postgres') {
    return { ...common, driver: PostgreSqlDriver, clientUrl: databaseUrl, pool: { min: 0, max: 10 } } as Options;
  }
  if (databaseUrl !== ':memory:') mkdirSync(dirname(databaseUrl), { recursive: true });
  return {
    ...common,
    driver: LibSqlDriver,
    dbName: databaseUrl,
    pool: {
      // On every connection the pool opens (it renews them every 10 s): write-ahead logging with
      // `synchronous = NORMAL`, so a commit is not one fsync per journal file (about 3x the
      // transactions per second here); a commit survives the process dying, not the machine
      // losing power, which is what PostgreSQL is for. Foreign keys as MikroORM means them, on
      // renewed connections too.
      afterCreate(conn: { exec(sql: string): void }, done: (err: Error | null, conn: unknown) => void) {
        try {
          conn.exec('pragma journal_mode = WAL; pragma synchronous = NORMAL; pragma foreign_keys = ON; pragma busy_timeout = 5000;');
          done(null, conn);
        } catch (err) {
          done(err as Error, conn);
        }
      },
      ...(overrides.pool ?? {}),
    },
  } as Options;
}

export async function initORM(databaseUrl: string, overrides: Partial<Options> = {}): Promise<MikroORM> {
  return MikroORM.init(ormOptions(databaseUrl, overrides));
}

/** Applies pending migrations; `npm start` runs this, `npm run migrate` runs only this. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
