// `npm run migrate`: applies the database migrations and exits.
import { parseConfig } from '../config.ts';
import { initORM, migrate } from './orm.ts';

const config = parseConfig();
const orm = await initORM(config.databaseUrl);
const applied = await migrate(orm);
console.log(applied.length ? `applied ${applied.join(', ')}` : 'the database is up to date');
await orm.close(true);
