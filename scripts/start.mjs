#!/usr/bin/env node
// `npm start` / `start:api` / `start:worker`: build dist/ if sources changed, then run the service in THIS process.
// package.json runs it as `exec node scripts/start.mjs`, so npm's `sh -c` is replaced by this process and npm's
// SIGINT/SIGTERM forwarding reaches the service directly. Beyond that, the service stops with its parent
// (docs/decisions/0018-processes-and-deployment-kit.md): when the process that started it (npm, or a shell npm left
// in between) goes away — `kill -9` of npm, a closed terminal, SIGHUP — it stops itself gracefully, embedded
// PostgreSQL included, instead of running on as an orphan. Production units run `node dist/src/main.js` directly.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
// --prebuilt (npm run start:prod): run dist/ as built by `npm run build`; a production install has no swc.
if (args.includes('--prebuilt')) {
  if (!existsSync(join(root, 'dist/src/main.js'))) {
    console.error('dist/src/main.js is missing: run `npm run build` (with devDependencies installed) before `npm run start:prod`');
    process.exit(1);
  }
} else {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/** Command name and parent pid of a running process, from /proc (undefined when it has exited or /proc is not there). */
function procInfo(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    const [state, ppid] = stat.slice(close + 2).split(' ');
    // A zombie (exited, not yet reaped by its own parent) counts as gone.
    return state === 'Z' || state === 'X' ? undefined : { name, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

/**
 * The processes whose end means "stop": the parent and, when the parent is a shell wrapper (`sh -c` without exec),
 * the process that started that shell (npm). Pid 1 (or no parent) means nobody to follow.
 */
function watchedAncestors() {
  const watched = [];
  let pid = process.ppid;
  for (let depth = 0; depth < 2 && pid > 1; depth++) {
    const info = procInfo(pid);
    if (!info) break;
    watched.push({ pid, name: info.name, ppid: info.ppid });
    if (!['sh', 'dash', 'bash', 'zsh'].includes(info.name)) break;
    pid = info.ppid;
  }
  return watched;
}

const watched = watchedAncestors();
if (watched.length > 0) {
  let stopping = false;
  const stop = (why) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${why}: stopping the service\n`);
    process.kill(process.pid, 'SIGTERM'); // the launcher's graceful shutdown (src/main.ts)
  };
  const parentAtStart = process.ppid;
  const timer = setInterval(() => {
    // Our own parent: when it exits we are reparented at once (even before it is reaped).
    if (process.ppid !== parentAtStart) return stop(`parent process ${watched[0].name} (pid ${parentAtStart}) exited`);
    for (const w of watched) {
      const info = procInfo(w.pid);
      // Gone, or the pid now belongs to another process (its parent differs): our starter has exited. (Not the
      // name: npm may retitle itself.)
      if (!info || info.ppid !== w.ppid) return stop(`parent process ${w.name} (pid ${w.pid}) exited`);
    }
  }, 500);
  timer.unref();
  // A hang-up (terminal closed) stops the service like SIGTERM, not abruptly with PostgreSQL left behind. (Node resets
  // SIGHUP to its default at start, so even under `nohup` a hang-up used to kill the service outright.)
  process.on('SIGHUP', () => stop('SIGHUP received'));
}

const role = args.find((a) => !a.startsWith('--'));
if (role) process.env.TDS_ROLE = role;
createRequire(import.meta.url)(join(root, 'dist/src/main.js'));
