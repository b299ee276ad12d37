import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// Server and client-logic tests. The client's own Vite config sets `root`, so the tests
// have this config of their own.
export default defineConfig({
  resolve: {
    // graphql ships ESM and CJS builds; Pothos and graphql-yoga load the CJS one under
    // Node, so our code must too, or their types come "from another realm".
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more files at once only adds contention to timing-sensitive streams.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
