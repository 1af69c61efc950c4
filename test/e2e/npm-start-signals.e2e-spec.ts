import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/common/net/free-port';

/**
 * `npm start` exactly as a user or a supervisor runs it (npm → its `sh -c` → node, embedded PostgreSQL), then a
 * signal to the npm process's pid: the service and its PostgreSQL must be gone within 15 s, leaving no orphan
 * (docs/decisions/0018-processes-and-deployment-kit.md).
 */
const ROOT = resolve(__dirname, '../..');
const STOP_WITHIN_MS = 15_000;

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number);
}

/** Every process below `root` in the process tree (npm's shell, the service, postgres and its workers). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const ppid = parentOf(pid);
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const todo = [root];
  while (todo.length) {
    for (const c of children.get(todo.pop()!) ?? []) {
      found.push(c);
      todo.push(c);
    }
  }
  return found;
}

/** Processes that belong to this test's service wherever they were reparented: its data folder in argv or env. */
function processesOf(dataDir: string): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmd.includes(dataDir) || environ.split('\0').includes(`TDS_DATA_DIR=${dataDir}`)) out.push({ pid, cmd });
    } catch {
      /* gone meanwhile, or a kernel thread */
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

interface NpmStart {
  npm: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function npmStart(dataDir: string): Promise<NpmStart> {
  const port = await freePort();
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ENVIRONMENT: 'test',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      TDS_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  npm.stdout!.on('data', (d) => (out += d.toString()));
  npm.stderr!.on('data', (d) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    npm.on('exit', (code, signal) => r({ code, signal })),
  );
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (npm.exitCode !== null) throw new Error(`npm start exited with ${npm.exitCode}:\n${out}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`npm start not ready in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { npm, port, output: () => out, exited };
}

/** Waits until none of `pids` runs and nothing of `dataDir` is left; returns what still runs at the deadline. */
async function waitAllGone(pids: number[], dataDir: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = [...pids.filter(alive).map((p) => `pid ${p}`), ...processesOf(dataDir).map((p) => `pid ${p.pid}: ${p.cmd}`)];
    if (left.length === 0 || Date.now() > deadline) return [...new Set(left)];
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start under a supervisor: a signal to the npm process stops the service and its embedded PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tds-npm-start-'));
  chmodSync(dir, 0o755);
  const dataDir = join(dir, 'data');
  const leftovers: number[] = [];

  afterAll(() => {
    for (const p of [...leftovers, ...processesOf(dataDir).map((x) => x.pid)]) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  // SIGINT takes SIGTERM's path (npm forwards both); SIGHUP and SIGKILL kill npm, so the service must notice itself.
  it.each(['SIGTERM', 'SIGHUP', 'SIGKILL'] as const)(
    '%s to npm: the node service, every postgres process of the data folder and every other descendant are gone within 15 s',
    async (signal) => {
      const started = await npmStart(dataDir);
      const npmPid = started.npm.pid!;
      const tree = descendants(npmPid);
      leftovers.push(...tree);
      const mine = processesOf(dataDir).filter((p) => p.pid !== npmPid); // npm itself carries the env too
      // The tree really holds the service and its PostgreSQL (else the checks below could not fail).
      expect(
        mine.some((p) => p.cmd.includes('scripts/start.mjs')),
        mine.map((p) => p.cmd).join('\n'),
      ).toBe(true);
      expect(mine.filter((p) => /postgres/.test(p.cmd)).length, mine.map((p) => p.cmd).join('\n')).toBeGreaterThan(0);
      for (const p of mine) expect(tree, `${p.cmd} is not below npm (pid ${npmPid})`).toContain(p.pid);

      process.kill(npmPid, signal);
      const left = await waitAllGone([npmPid, ...tree], dataDir, STOP_WITHIN_MS);
      expect(left, `still running ${STOP_WITHIN_MS} ms after ${signal} to npm:\n${left.join('\n')}\n${started.output()}`).toEqual([]);
      await started.exited;
      // A graceful stop, not a crash: the launcher says it stopped (SIGKILL leaves npm no chance, but not the service).
      expect(started.output()).toContain('"msg":"stopped"');
      // npm cannot forward SIGKILL or SIGHUP (it dies of them): the service saw its parent go and stopped itself.
      if (signal === 'SIGKILL' || signal === 'SIGHUP')
        expect(started.output()).toMatch(/parent process .+ \(pid \d+\) exited: stopping the service/);
    },
    120_000,
  );
});
