import swc from 'unplugin-swc';
import { configDefaults, defineConfig } from 'vitest/config';

// Nest 12 is ESM-only and Jest cannot load it on Node 20; Vitest + swc (decorator metadata) can.
export default defineConfig({
  plugins: [
    swc.vite({
      module: { type: 'es6' },
      jsc: {
        target: 'es2023',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        keepClassNames: true,
      },
    }),
  ],
  test: {
    include: ['src/**/*.spec.ts', 'test/integration/**/*.int-spec.ts', 'test/e2e/**/*.e2e-spec.ts'],
    exclude: [...configDefaults.exclude, '.stryker-tmp/**', 'reports/**'],
    globalSetup: ['test/setup/global-setup.ts'],
    pool: 'forks',
    // Each test file gets its own database (cloned from a migrated template), so files can share one process.
    isolate: false,
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
    env: { ENVIRONMENT: 'test', LOG_LEVEL: 'silent' },
  },
});
