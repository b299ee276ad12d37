// `npm run admin -- grant <email> | revoke <email> | list`: the operator's way to make an
// administrator. Signing up never does (whoever registers an address first does not own it),
// so this runs with the operator's access to the database, not through the API.
import { createAccounts } from './auth/accounts.ts';
import { ConfigError, parseConfig } from './config.ts';
import { initORM, migrate } from './db/orm.ts';

const USAGE = 'usage: npm run admin -- grant <email> | revoke <email> | list';

export async function runAdminCommand(args: string[], databaseUrl: string): Promise<{ code: number; out: string }> {
  const [verb, email] = args;
  if (!(verb === 'list' && !email) && !((verb === 'grant' || verb === 'revoke') && email)) return { code: 2, out: USAGE };
  const orm = await initORM(databaseUrl);
  try {
    await migrate(orm);
    const accounts = createAccounts({ orm, initialCredits: 0, sessionTtlMs: 0 });
    if (verb === 'list') {
      const admins = await accounts.admins();
      return { code: 0, out: admins.length ? admins.map((u) => u.email).join('\n') : '(no administrators)' };
    }
    const found = await accounts.setAdmin(email!, verb === 'grant');
    if (!found) return { code: 1, out: `no account has the email ${email}: sign up first, then grant` };
    return { code: 0, out: `${email} ${verb === 'grant' ? 'is now an administrator' : 'is no longer an administrator'}` };
  } finally {
    await orm.close(true);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const { code, out } = await runAdminCommand(process.argv.slice(2), parseConfig().databaseUrl);
    (code === 0 ? console.log : console.error)(out);
    process.exitCode = code;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`configuration error: ${err.message}`);
    process.exitCode = 2;
  }
}
