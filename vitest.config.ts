import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure code, no services) and `kit` (against the real
// programs the test kit starts once per run: Kubernetes, Helm, NATS, PostgreSQL,
// Git, an OCI registry, sops). Integration test files end in `.int.test.ts`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'kit',
          include: ['packages/*/test/**/*.int.test.ts'],
          globalSetup: ['packages/testkit/src/globalSetup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          pool: 'forks',
          maxWorkers: 2,
        },
      },
    ],
  },
});
