import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Integration tests each start a daemon and a simulated switch on port 0; two cores.
    maxWorkers: 2,
  },
});
