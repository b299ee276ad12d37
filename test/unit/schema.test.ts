// schema.graphql is a checked artifact: generated from the Pothos schema, committed, and a
// compatible superset of the public contract.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printSortedSchema } from '../../server/schema/index.ts';

describe('schema.graphql', () => {
  it('is up to date with the Pothos schema (run `npm run schema` when this fails)', () => {
    expect(readFileSync('schema.graphql', 'utf8')).toBe(printSortedSchema());
  });

  it('keeps the public API contract', () => {
    const checker = '../shared/api/check-contract.mjs';
    expect(existsSync(checker), `${checker} must be beside the project`).toBe(true);
    const out = execFileSync('node', [checker, 'schema.graphql'], { encoding: 'utf8' });
    expect(out).toContain('keeps the contract');
  });
});
