#!/usr/bin/env node
// Compiles src/, migrations/ and ormconfig.ts to dist/ with swc (about 1 s), and the web UI (ui/) to ui/dist with
// Vite (a few seconds).
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

// The operator web UI (ui/, Vite): rebuilt into ui/dist when its sources are newer than the last UI build.
const uiStamp = join(root, 'ui', 'dist', '.build-stamp');
const uiInputs = ['ui/src', 'ui/index.html', 'ui/vite.config.ts', 'ui/package.json'];
function buildUi() {
  if (!existsSync(join(root, 'ui', 'package.json'))) return;
  if (!force && existsSync(uiStamp)) {
    const built = statSync(uiStamp).mtimeMs;
    const newest = Math.max(...uiInputs.filter((p) => existsSync(join(root, p))).map((p) => newestMtime(join(root, p))));
    if (newest <= built) return;
  }
  const vite = join(root, 'node_modules', '.bin', 'vite');
  if (!existsSync(vite)) {
    // A production install (npm ci --omit=dev) has no vite: it serves the ui/dist built beforehand.
    if (existsSync(join(root, 'ui', 'dist', 'index.html'))) return;
    console.error(
      'ui/dist is not built and vite (a devDependency) is not installed: run `npm run build` where devDependencies ' +
        'are installed, then start with `npm run start:prod` (or node dist/src/main.js).',
    );
    process.exit(1);
  }
  // NODE_ENV=production whatever the caller's (Vitest sets test, which would give React's development build).
  const ui = spawnSync(vite, ['build', '--logLevel', 'warn'], {
    cwd: join(root, 'ui'),
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (ui.status !== 0) {
    console.error('web UI build failed');
    process.exit(ui.status ?? 1);
  }
  writeFileSync(uiStamp, new Date().toISOString());
  console.log('built ui/dist with vite');
}
buildUi();

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
