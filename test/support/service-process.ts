import { ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { freePort } from '../../src/common/net/free-port';

export interface ServiceProcess {
  proc: ChildProcess;
  port: number;
  baseUrl: string;
  output: () => string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  kill9(): Promise<void>;
  exited: Promise<number | null>;
}

const ROOT = resolve(__dirname, '../..');

/** Runs the built service (dist/src/main.js, built by global setup) as a child process. */
export async function startService(
  env: Record<string, string>,
  opts: { waitReady?: boolean; path?: string; timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const port = env.API_PORT ? Number(env.API_PORT) : await freePort();
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ENVIRONMENT: 'test',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    API_HOST: '127.0.0.1',
    API_PORT: String(port),
    ...env,
  };
  const proc = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d.toString()));
  proc.stderr!.on('data', (d) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const baseUrl = `http://127.0.0.1:${port}${env.API_BASE_PATH ?? ''}`;
  const svc: ServiceProcess = {
    proc,
    port,
    baseUrl,
    output: () => out,
    exited,
    async stop(timeoutMs = 30_000) {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      return Promise.race([exited, new Promise<null>((r) => setTimeout(() => (proc.kill('SIGKILL'), r(null)), timeoutMs))]);
    },
    async kill9() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGKILL');
      await exited;
    },
  };
  if (opts.waitReady !== false && childEnv.TDS_ROLE === 'worker') {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    while (!out.includes('worker started')) {
      if (proc.exitCode !== null) throw new Error(`worker exited with ${proc.exitCode}:\n${out}`);
      if (Date.now() > deadline) {
        await svc.kill9();
        throw new Error(`worker not started in time:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } else if (opts.waitReady !== false) {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`service exited with ${proc.exitCode}:\n${out}`);
      try {
        const res = await fetch(`${baseUrl}${opts.path ?? '/health/ready'}`);
        if (res.status === 200) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        await svc.kill9();
        throw new Error(`service not ready in time:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return svc;
}
