// Developer tool: writes a migration for each dialect from the difference between the
// entities and what the migrations so far create. Needs a scratch PostgreSQL (PG_URL).
//   tsx server/db/create-migration.ts
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initORM } from './orm.ts';

const pgUrl = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/sp_migrations';
const sqliteFile = join(tmpdir(), `sp-migrations-${process.pid}.db`);
for (const url of [sqliteFile, pgUrl]) {
  const orm = await initORM(url);
  const migrator = orm.getMigrator();
  await migrator.up();
  const result = await migrator.createMigration(undefined, false, false);
  console.log(url, result.fileName || '(no changes)');
  await orm.close(true);
}
rmSync(sqliteFile, { force: true });
