import { defineConfig } from 'vitest/config';

// Server and client-logic tests. The client's own Vite config sets `root`, so the tests
// have this config of their own.
export default defineConfig({
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
