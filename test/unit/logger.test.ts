// The logger: JSON lines in production with the role and any attached fields; readable lines
// otherwise; secrets redacted by field name; database errors without their SQL and values.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { initORM, migrate } from '../../server/db/orm.ts';
import { User } from '../../server/db/entities.ts';
import { childLog, createLogger } from '../../server/logger.ts';
import { createTestDatabase } from '../helpers/databases.ts';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => lines.push(line) } };
}

describe('logger', () => {
  it('writes one JSON object a line in production, with the role, the fields and the error', () => {
    const { lines, destination } = capture();
    const log = childLog(createLogger('worker', { json: true, destination }), { taskId: 't-1', attempt: 2 });
    log('attempt started', undefined, { stage: 'REWRITE' });
    log('attempt failed', new Error('boom'));
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    expect(first).toMatchObject({ level: 'info', role: 'worker', msg: 'attempt started', taskId: 't-1', attempt: 2, stage: 'REWRITE' });
    expect(Date.parse(first.time)).not.toBeNaN();
    expect(second).toMatchObject({ level: 'error', role: 'worker', taskId: 't-1', attempt: 2, err: { type: 'Error', message: 'boom' } });
    expect(second.err.stack).toContain('boom');
  });

  it('writes readable lines in development, and only errors when quiet', () => {
    const { lines, destination } = capture();
    createLogger('api', { json: false, destination })('listening', undefined, { port: 4000 });
    createLogger('api', { json: false, destination, quiet: true })('not shown');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[api\] listening port=4000\n$/);
  });

  it('redacts credentials wherever they sit', () => {
    const { lines, destination } = capture();
    const log = createLogger('api', { json: true, destination });
    log('request', undefined, {
      authorization: 'Bearer sekrit-token-1',
      headers: { authorization: 'Bearer sekrit-token-2', cookie: 'sp_admin=sekrit-token-3' },
      input: { email: 'me@example.com', password: 'sekrit-password' },
      provider: { apiKey: 'sk-sekrit' },
      req: { headers: { authorization: 'Bearer sekrit-token-4' } },
    });
    expect(lines[0]).not.toMatch(/sekrit/);
    expect(JSON.parse(lines[0])).toMatchObject({ authorization: '[redacted]', input: { email: 'me@example.com', password: '[redacted]' } });
  });

  it('logs a database error without the statement and its bound values', async () => {
    const db = await createTestDatabase('sqlite');
    const orm = await initORM(db.url);
    try {
      await migrate(orm);
      const email = `dup-${randomUUID().slice(0, 8)}@example.com`;
      const row = { email, passwordHash: 'hash-that-must-not-leak', credits: 1, isAdmin: false, createdAt: new Date() };
      await orm.em.fork().insert(User, { id: randomUUID(), ...row });
      const err = await orm.em
        .fork()
        .insert(User, { id: randomUUID(), ...row })
        .then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(String((err as Error).message)).toContain(email); // what the driver says…
      const { lines, destination } = capture();
      createLogger('api', { json: true, destination })('signUp failed', err);
      expect(lines[0]).not.toContain(email); // …is not what the log keeps
      expect(lines[0]).not.toContain('hash-that-must-not-leak');
      expect(JSON.parse(lines[0]).err.message).toMatch(/statement withheld.*UNIQUE/i);
    } finally {
      await orm.close(true);
      await db.drop();
    }
  });
});
