// @ts-check
// Mutation testing (`npm run test:mutation`): StrykerJS 9.x on the system Node 20 (docs/decisions/0008-stryker-mutation-testing.md).
// Only modules whose logic is pure or nearly so are mutated; their unit specs (vitest.unit.config.mts) are the tests.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.unit.config.mts' },
  mutate: [
    'src/common/json/exact-json.ts',
    'src/common/zoho/zoho-time.ts',
    'src/common/errors/sqlstate.ts',
    'src/modules/sync/zoho-values.ts',
    'src/modules/sync/field-spec.ts',
    'src/modules/sync/handlers/stock-snapshot.ts',
    'src/modules/webhooks/webhook-auth.service.ts',
    'src/modules/queue/backoff.ts',
    'src/modules/queue/error-classification.ts',
  ],
  // The sandbox needs only what the unit specs load; copying data/, dist/ or bench/ would only slow each run.
  ignorePatterns: ['/*', '!/src', '!/package.json', '!/tsconfig.json', '!/vitest.unit.config.mts'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: 90 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
