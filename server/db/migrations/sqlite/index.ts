// Migrations in the order they apply. New ones: `tsx server/db/create-migration.ts`
// writes one per dialect from the entities; add it to this list.
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122184901 } from './Migration20261122184901.ts';
import { Migration20261122190953 } from './Migration20261122190953.ts';
import { Migration20261122191254 } from './Migration20261122191254.ts';
import { Migration20261202073039 } from './Migration20261202073039.ts';
import { Migration20261202073232 } from './Migration20261202073232.ts';
import { Migration20261202104644 } from './Migration20261202104644.ts';
import { Migration20261202104920 } from './Migration20261202104920.ts';

export const sqliteMigrations: MigrationObject[] = [
  { name: 'Migration20261122184901', class: Migration20261122184901 },
  { name: 'Migration20261122190953', class: Migration20261122190953 },
  { name: 'Migration20261122191254', class: Migration20261122191254 },
  { name: 'Migration20261202073039', class: Migration20261202073039 },
  { name: 'Migration20261202073232', class: Migration20261202073232 },
  { name: 'Migration20261202104644', class: Migration20261202104644 },
  { name: 'Migration20261202104920', class: Migration20261202104920 },
];
