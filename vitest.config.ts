import { defineConfig } from 'vitest/config';

/**
 * Tests that measure time or memory under load (a routing tail latency during a login flood, the
 * heap slope of the fault run, the wallboard's frame times and the daemon's CPU with it open) run
 * last and alone: on the two cores of CI, a neighbouring test
 * file at normal priority takes the CPU their low-priority work (hash workers, the softphone
 * crowd) needs, and the figure measured would be the neighbour's. Everything else runs two files
 * at a time.
 */
const ALONE = [
  'test/integration/login-flood-while-routing-expect-routing-not-starved.test.ts',
  'test/integration/fault-run-expect-every-row-ended-and-no-agent-reserved.test.ts',
  'test/browser/console-wallboard-500-agents-50-cps-frame-time-and-daemon-cpu.test.ts',
];

const shared = {
  testTimeout: 20_000,
  hookTimeout: 20_000,
  pool: 'forks' as const,
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: ALONE,
          // Integration tests each start a daemon and a simulated switch on port 0; two cores.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'alone',
          include: ALONE,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
