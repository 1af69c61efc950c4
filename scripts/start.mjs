#!/usr/bin/env node
// `npm start` / `start:api` / `start:worker`: build dist/ if sources changed, then run the service in THIS process
// (no intermediate shell), so SIGINT/SIGTERM from npm, systemd or Ctrl-C reach the service directly.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const role = process.argv[2];
if (role) process.env.TDS_ROLE = role;
createRequire(import.meta.url)(join(root, 'dist/src/main.js'));
