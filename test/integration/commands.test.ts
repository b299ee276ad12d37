// The README's other commands, run as a user would.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROW_IDS, ROWS, type RowResult } from '../../bench/lib/rows.ts';
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

describe('npm run admin', () => {
  it('grants and revokes administrator rights to an existing account, and lists the administrators', async () => {
    const { initORM, migrate } = await import('../../server/db/orm.ts');
    const { createAccounts } = await import('../../server/auth/accounts.ts');
    const db = await createTestDatabase('sqlite');
    try {
      const orm = await initORM(db.url);
      await migrate(orm);
      await createAccounts({ orm, initialCredits: 0, sessionTtlMs: 60_000 }).signUp({ email: 'Ops@Example.com', password: 'a long password' });
      await orm.close(true);
      const env = { ...process.env, DATABASE_URL: db.url };
      const admin = (...args: string[]) => run('npm', ['run', '--silent', 'admin', '--', ...args], { env });
      expect((await admin('grant', 'ops@example.com')).stdout).toContain('ops@example.com is now an administrator');
      expect((await admin('list')).stdout.trim()).toBe('ops@example.com');
      await expect(admin('grant', 'nobody@example.com')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('no account has the email') });
      await expect(admin('promote')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('usage: npm run admin') });
      expect((await admin('revoke', 'ops@example.com')).stdout).toContain('is no longer an administrator');
      expect((await admin('list')).stdout).toContain('(no administrators)');
    } finally {
      await db.drop();
    }
  });
});

describe('npm run bench', () => {
  it('runs every scenario side by side and writes every row as JSON', { timeout: 300_000 }, async () => {
    // The smallest sizes that still make every row: this checks that the bench runs, not how fast anything is.
    const out = mkdtempSync(join(tmpdir(), 'bench-'));
    try {
      const { stdout } = await run('npm', ['run', '--silent', 'bench'], { env: { ...process.env, BENCH_SMOKE: '1', BENCH_OUT: out }, maxBuffer: 16 * 1024 * 1024 });
      expect(stdout).toMatch(/ours\/raw/);
      const doc = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as { mode: string; rows: RowResult[] };
      expect(doc.mode).toBe('smoke');
      expect(doc.rows.map((r) => r.id)).toEqual(ROW_IDS);
      for (const row of doc.rows) {
        expect(Number.isFinite(row.ours), `${row.id}: ours`).toBe(true);
        const spec = ROWS.find((r) => r.id === row.id)!;
        if (spec.raw) expect(Number.isFinite(row.raw), `${row.id}: raw`).toBe(true);
        else expect(row.raw).toBeNull();
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
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
