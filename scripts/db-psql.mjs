#!/usr/bin/env node
// `npm run db:psql [-- psql arguments]`: psql on the service's database (src/cli/db-psql.ts). Builds dist/ first when
// the sources changed (a production install runs the dist/ it was given).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(join(root, 'node_modules/.bin/swc'))) {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const { main } = createRequire(import.meta.url)(join(root, 'dist/src/cli/db-psql.js'));
process.exit(main(process.argv.slice(2)));
