import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure code, no services) and `kit` (against the real
// programs the test kit starts once per run: Kubernetes, Helm, NATS, PostgreSQL,
// Git, an OCI registry, sops). Integration test files end in `.int.test.ts`.
// processes the tests spawn (platforms, `mooring start`) list no public chart registries: no Internet here
const NO_PUBLIC_REGISTRIES = { MOORING_DEFAULT_REGISTRIES: 'false' };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          env: NO_PUBLIC_REGISTRIES,
          include: ['packages/*/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'kit',
          env: NO_PUBLIC_REGISTRIES,
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
