// The README's other commands, run as a user would.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS } from '../helpers/databases.ts';

const run = promisify(execFile);

describe('npm run migrate', () => {
  it.each(DIALECTS)('applies every migration to a fresh %s database, then has nothing left to do', async (dialect) => {
    const db = await createTestDatabase(dialect);
    try {
      const env = { ...process.env, DATABASE_URL: db.url };
      const first = await run('npm', ['run', '--silent', 'migrate'], { env });
      expect(first.stdout).toMatch(/^applied Migration\d+/);
      const second = await run('npm', ['run', '--silent', 'migrate'], { env });
      expect(second.stdout).toContain('the database is up to date');
    } finally {
      await db.drop();
    }
  });
});

describe('npm run bench', () => {
  it('measures side by side and reports ratios', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'bench'], { env: { ...process.env, BENCH_EVENTS: '300' } });
    expect(stdout).toMatch(/batched vs per-token append: [\d.]+x/);
  });
});

describe('migrations', () => {
  it.each(DIALECTS)('create exactly the schema the entities describe on %s', async (dialect) => {
    const { initORM, migrate } = await import('../../server/db/orm.ts');
    const db = await createTestDatabase(dialect);
    const orm = await initORM(db.url);
    try {
      await migrate(orm);
      const drift = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
      expect(drift.trim()).toBe('');
    } finally {
      await orm.close(true);
      await db.drop();
    }
  });
});
