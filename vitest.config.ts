import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests (no Docker), and end-to-end scenarios against the real
// engine. The e2e ones share one Docker daemon, so their files run one at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          globalSetup: ['test/support/e2e-global-setup.ts'],
        },
      },
    ],
  },
});
