#!/usr/bin/env node
// The production path of docs/DEPLOYMENT.md, end to end: build once here (devDependencies present), copy the
// checkout without node_modules, `npm ci --omit=dev` in the copy (no swc, no TypeScript: a production install),
// `npm run start:prod` there and wait for /health to answer 200, then SIGTERM to npm and expect the service gone.
// Run by .ci/run (about 1 min: the install comes from npm's cache). The database is the embedded PostgreSQL (a
// production dependency) in a temporary data folder, so nothing outside the temporary folder is touched.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'tds-prod-install-'));
chmodSync(work, 0o755);
const app = join(work, 'app');
const started = Date.now();
const say = (m) => console.log(`[production install ${((Date.now() - started) / 1000).toFixed(0)} s] ${m}`);

function run(cmd, args, cwd) {
  const res = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.status})`);
}

function freePort() {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });
}

let service;
let failed = false;
try {
  // `npm run build` where devDependencies are installed (here: only when the sources changed since the last build,
  // so a test run using dist/ at the same time is not disturbed).
  say('build dist/ (with devDependencies, in the checkout)');
  run(process.execPath, [join(root, 'scripts/build.mjs')], root);
  const skip = new Set(['node_modules', '.git', '.stryker-tmp', 'reports', 'data', 'coverage']);
  cpSync(root, app, { recursive: true, filter: (src) => src === root || !skip.has(basename(src)) });
  say('npm ci --omit=dev in a copy');
  run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], app);
  for (const devOnly of ['@swc/cli', 'vitest', 'eslint', '.bin/swc']) {
    if (existsSync(join(app, 'node_modules', devOnly))) throw new Error(`${devOnly} is installed: not a production install`);
  }
  // `npm start` compiles first: a production install without a built dist/ cannot, and says what to do instead.
  renameSync(join(app, 'dist'), join(app, 'dist.built'));
  const plain = spawnSync('npm', ['start'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
  renameSync(join(app, 'dist.built'), join(app, 'dist'));
  if (plain.status === 0 || !/npm run start:prod/.test(plain.stderr)) {
    throw new Error(`npm start in a production install should refuse, naming start:prod:\n${plain.stdout}${plain.stderr}`);
  }
  say('npm start refuses as expected (no swc) and names npm run start:prod');

  const port = await freePort();
  say(`npm run start:prod on port ${port} (embedded PostgreSQL)`);
  service = spawn('npm', ['run', 'start:prod'], {
    cwd: app,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME ?? '/tmp',
      ENVIRONMENT: 'production',
      LOG_LEVEL: 'warn',
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      TDS_DATA_DIR: join(work, 'data'),
      DATABASE_URL: '',
      WEBHOOK_API_KEYS: 'production-install-check',
      ADMIN_API_KEYS: 'ci:production-install-admin',
      HEALTH_REQUIRE_WORKER: 'true',
    },
  });
  let out = '';
  service.stdout.on('data', (d) => (out += d));
  service.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => service.on('exit', (code) => r(code)));
  const deadline = Date.now() + 120_000;
  let health;
  while (!health) {
    if (service.exitCode !== null) throw new Error(`the service exited with ${service.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`no 200 from /health within 120 s:\n${out}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.status === 200) health = await res.json();
    } catch {
      /* not listening yet */
    }
    if (!health) await new Promise((r) => setTimeout(r, 250));
  }
  say(`/health answered 200: ${JSON.stringify(health.status)} (${Object.keys(health.details ?? {}).join(', ')})`);
  service.kill('SIGTERM');
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
  if (code !== 0) throw new Error(`npm run start:prod did not stop cleanly within 15 s after SIGTERM (${code}):\n${out}`);
  say('stopped cleanly: the production install works');
} catch (err) {
  failed = true;
  console.error(`production install check FAILED: ${err.message}`);
  if (service && service.exitCode === null) service.kill('SIGKILL');
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
