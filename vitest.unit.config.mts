import swc from 'unplugin-swc';
import { configDefaults, defineConfig } from 'vitest/config';

// Unit tier (`npm run test:unit`, and the test runner of `npm run test:mutation`): src/**/*.spec.ts only, no global
// setup and no database — pure logic and services with their collaborators mocked. `npm test` runs these specs too.
// A zone other than UTC (India, where Zoho has many orgs): code that reads a date as local time fails here, not only on
// a server set to another zone. Set in this process so the test workers inherit it (threads cannot change the zone).
process.env.TZ = 'Asia/Kolkata';

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
    include: ['src/**/*.spec.ts'],
    exclude: [...configDefaults.exclude, '.stryker-tmp/**', 'reports/**'],
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    env: { ENVIRONMENT: 'test', LOG_LEVEL: 'silent' },
  },
});
