// schema.graphql is a checked artifact: generated from the Pothos schema, committed, and a
// compatible superset of the public contract. The contract and its checker are kept in the
// repository (contract/), so a clone anywhere can run this test.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { printSortedSchema } from '../../server/schema/index.ts';

describe('schema.graphql', () => {
  it('is up to date with the Pothos schema (run `npm run schema` when this fails)', () => {
    expect(readFileSync('schema.graphql', 'utf8')).toBe(printSortedSchema());
  });

  it('keeps the public API contract', () => {
    const out = execFileSync('node', ['contract/check-contract.mjs', 'schema.graphql'], { encoding: 'utf8' });
    expect(out).toContain('keeps the contract');
  });

  it('keeps a copy of the contract that matches the shared one, where that is beside the project', () => {
    // The shared contract is the source; the copy must follow it when it changes.
    const shared = '../shared/api/contract.graphql';
    const copy = readFileSync('contract/contract.graphql', 'utf8');
    expect(copy).toContain('type Mutation');
    if (existsSync(shared)) expect(copy).toBe(readFileSync(shared, 'utf8'));
  });

  it('the checker refuses a schema that drops a field of the contract', () => {
    const broken = readFileSync('schema.graphql', 'utf8').replace(/\n\s*executeStage\(input: ExecuteStageInput!\): Task!/, '');
    expect(broken).not.toBe(readFileSync('schema.graphql', 'utf8'));
    const path = join(tmpdir(), `schema-broken-${process.pid}.graphql`);
    writeFileSync(path, broken);
    try {
      expect(() => execFileSync('node', ['contract/check-contract.mjs', path], { encoding: 'utf8', stdio: 'pipe' })).toThrow();
    } finally {
      rmSync(path, { force: true });
    }
  });
});
