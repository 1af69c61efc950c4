#!/usr/bin/env node
// Compiles src/, migrations/ and ormconfig.ts to dist/ with swc (about 1 s).
// Without --force it only rebuilds when a source file is newer than the last build,
// so `npm start` stays fast on a second run. Type checking is `npm run typecheck` (tsc).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');
const inputs = ['src', 'migrations', 'ormconfig.ts', '.swcrc', 'package.json'];

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const force = process.argv.includes('--force');
if (!force && existsSync(stamp)) {
  const built = statSync(stamp).mtimeMs;
  const newest = Math.max(...inputs.map((p) => newestMtime(join(root, p))));
  if (newest <= built) process.exit(0);
}

const swc = join(root, 'node_modules', '.bin', 'swc');
if (!existsSync(swc)) {
  // A production install (npm ci --omit=dev) has no swc: it runs the dist/ built beforehand (docs/DEPLOYMENT.md).
  console.error(
    `dist/ is ${existsSync(stamp) ? 'older than the sources' : 'not built'} and swc (a devDependency) is not installed: ` +
      'run `npm run build` where devDependencies are installed, then start with `npm run start:prod` (or node dist/src/main.js).',
  );
  process.exit(1);
}
rmSync(join(root, 'dist'), { recursive: true, force: true });
const result = spawnSync(
  swc,
  [
    'src',
    'migrations',
    'ormconfig.ts',
    '-d',
    'dist',
    '--config-file',
    '.swcrc',
    '--only',
    '**/*.ts',
    '--ignore',
    '**/*.spec.ts',
    '--quiet',
  ],
  { cwd: root, stdio: 'inherit' },
);
if (result.status !== 0) {
  console.error('build failed');
  process.exit(result.status ?? 1);
}
writeFileSync(stamp, new Date().toISOString());
console.log('built dist/ with swc');
