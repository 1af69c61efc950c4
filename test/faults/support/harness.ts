import { ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { freePort } from '../../../src/common/net/free-port';

/**
 * Process harness for the fault suite: the built service (dist/src/main.js) as real child processes.
 * Every child is tracked; Fleet.cleanup() (call it in afterAll) and a process 'exit' hook kill whatever is left,
 * so a failing test never leaves services behind. Output of every child (also the killed ones) is kept for
 * failure messages.
 */

export type Role = 'api' | 'worker' | 'all';

const ROOT = resolve(__dirname, '../../..');
const MAIN = join(ROOT, 'dist/src/main.js');
const OUTPUT_LIMIT = 256 * 1024;
const LIVE = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of LIVE) {
      try {
        p.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls fn until it returns a truthy value; throws with `what` (and the last value) after timeoutMs. */
export async function waitFor<T>(
  fn: () => Promise<T> | T,
  opts: { timeoutMs: number; intervalMs?: number; what: string; details?: () => string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${opts.timeoutMs} ms waiting for ${opts.what}; last value ${JSON.stringify(last)}` +
          `${lastErr ? `; last error ${(lastErr as Error).message}` : ''}${opts.details ? `\n${opts.details()}` : ''}`,
      );
    }
    await sleep(opts.intervalMs ?? 200);
  }
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ServiceChild {
  private out = '';
  readonly exited: Promise<ExitInfo>;
  exitInfo?: ExitInfo;
  readonly startedAt = Date.now();

  constructor(
    readonly name: string,
    readonly role: Role,
    readonly port: number,
    readonly proc: ChildProcess,
  ) {
    const append = (d: Buffer) => {
      this.out += d.toString();
      if (this.out.length > OUTPUT_LIMIT) this.out = this.out.slice(-OUTPUT_LIMIT);
    };
    proc.stdout!.on('data', append);
    proc.stderr!.on('data', append);
    this.exited = new Promise((r) =>
      proc.on('exit', (code, signal) => {
        LIVE.delete(proc);
        this.exitInfo = { code, signal };
        r(this.exitInfo);
      }),
    );
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  output(): string {
    return this.out;
  }

  /** Lines the service wrote at warn/error level or to stderr (JSON logs with level >= 40, plain text otherwise). */
  problems(): string[] {
    return this.out
      .split('\n')
      .filter((l) => l.trim() !== '')
      .filter((l) => {
        if (!l.startsWith('{')) return !/\[tds\]/.test(l);
        try {
          return (JSON.parse(l) as { level?: number }).level! >= 40;
        } catch {
          return true;
        }
      });
  }

  /** kill -9 and wait for the exit. */
  async kill9(): Promise<ExitInfo> {
    if (!this.alive) return this.exitInfo!;
    this.proc.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM (graceful stop); SIGKILL after timeoutMs. Resolves with how it ended. */
  async stop(timeoutMs = 30_000): Promise<ExitInfo & { timedOut: boolean }> {
    if (!this.alive) return { ...this.exitInfo!, timedOut: false };
    this.proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const res = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (res === 'timeout') {
      this.proc.kill('SIGKILL');
      return { ...(await this.exited), timedOut: true };
    }
    return { ...res, timedOut: false };
  }

  describe(tailChars = 3000): string {
    const state = this.alive ? 'running' : `exited code=${this.exitInfo!.code} signal=${this.exitInfo!.signal}`;
    return `--- ${this.name} (${this.role}, pid ${this.pid}, port ${this.port}, ${state}) ---\n${this.out.slice(-tailChars)}`;
  }
}

export interface StartOptions {
  name: string;
  role: Role;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

/** A set of service children sharing a base environment (usually one database). */
export class Fleet {
  readonly children: ServiceChild[] = [];

  constructor(private readonly baseEnv: Record<string, string>) {
    installExitHook();
  }

  get live(): ServiceChild[] {
    return this.children.filter((c) => c.alive);
  }

  async start(opts: StartOptions): Promise<ServiceChild> {
    const port = opts.env?.API_PORT ? Number(opts.env.API_PORT) : await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ENVIRONMENT: 'test',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      API_HOST: '127.0.0.1',
      DOCS_ENABLED: 'false',
      DB_MIGRATE_ON_START: 'false',
      HEALTH_REQUIRE_WORKER: 'false',
      ...this.baseEnv,
      ...opts.env,
      TDS_ROLE: opts.role,
      API_PORT: String(port),
    };
    const proc = spawn(process.execPath, [MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    LIVE.add(proc);
    const child = new ServiceChild(opts.name, opts.role, port, proc);
    this.children.push(child);
    await this.waitReady(child, opts.readyTimeoutMs ?? 60_000);
    return child;
  }

  private async waitReady(child: ServiceChild, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!child.alive) throw new Error(`${child.name} exited before it was ready\n${child.describe()}`);
      if (child.role === 'worker') {
        if (child.output().includes('worker started')) return;
      } else {
        try {
          const res = await fetch(`${child.baseUrl}/health/ready`, { signal: AbortSignal.timeout(2000) });
          if (res.status === 200) return;
        } catch {
          /* not listening yet */
        }
      }
      if (Date.now() > deadline) {
        await child.kill9();
        throw new Error(`${child.name} not ready within ${timeoutMs} ms\n${child.describe()}`);
      }
      await sleep(child.role === 'worker' ? 50 : 100);
    }
  }

  /** Output tails of every child (the killed ones too), for failure messages. */
  describe(tailChars = 2000, maxChildren = 12): string {
    return this.children
      .slice(-maxChildren)
      .map((c) => c.describe(tailChars))
      .join('\n');
  }

  /** Kills every child still running (afterAll; safe to call twice). */
  async cleanup(): Promise<void> {
    await Promise.all(this.live.map((c) => c.kill9()));
  }
}

/** Scale factor for event counts: FAULTS_SCALE (default 1). */
export function scaled(n: number, min = 1): number {
  const f = Number(process.env.FAULTS_SCALE ?? '1');
  const factor = Number.isFinite(f) && f > 0 ? f : 1;
  return Math.max(min, Math.round(n * factor));
}
