import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Fault-injection suite (`npm run test:faults`): the real service runs as child processes against a real
// PostgreSQL on loopback; the test process injects faults (kill -9, database restart, hostile input) and checks
// tds.* / erp.* with SQL. One file at a time: each file already loads both cores with service children.
// FAULTS_SCALE (default 1) scales the event counts; see test/faults/README.md.
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
    include: ['test/faults/**/*.fault-spec.ts'],
    globalSetup: ['test/setup/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 240_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    reporters: ['default', './test/faults/support/summary-reporter.ts'],
    env: { ENVIRONMENT: 'test', LOG_LEVEL: 'silent' },
  },
});
