import 'reflect-metadata';
import { Logger, LoggerService } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildAppConfig, logSection } from '../config/app-config';
import { AppConfigService } from '../config/app-config.service';
import { databaseUrlFrom, redactDatabaseUrl } from '../config/database-url';
import { ConfigValidationError, EnvironmentVariables } from '../config/env.validation';
import { loadEnvironment } from '../config/load-env';
import { createRootLogger, RootLogger } from '../common/logging/root-logger';
import { DatabaseService } from '../database/database.service';
import { readRunningEmbeddedUrl, RunningEmbeddedPostgres, startEmbeddedPostgres } from '../database/embedded-postgres';
import { ensureDatabaseExists } from '../database/prepare-database';
import { BackupRunRepository } from '../modules/backups/backup-run.repository';
import { BackupFailedError, BackupsService } from '../modules/backups/backups.service';
import { RetentionRepository } from '../modules/retention/retention.repository';
import { PrunePassResult, RetentionService } from '../modules/retention/retention.service';

/**
 * Operator commands over the service's own configuration (.env + environment, validated as at start) and database
 * (DATABASE_URL; else the embedded PostgreSQL of a running service; else that cluster started for the command):
 *   backup                      make, verify and record a backup now (npm run backup; scripts/backup_tds_database.sh)
 *   verify FILE [--archive]     verify an archive; exit 1 when damaged (npm run backup:verify -- FILE)
 *   restore FILE --yes          replace the database's contents with FILE (npm run restore -- FILE --yes)
 *   status                      the backup status the alert rule reads, as JSON
 *   retention [--loop [--interval-ms N]] [--pause-ms N] [--json]
 *                               run the pruning job once, or again every N ms (1000) until stopped; --pause-ms
 *                               waits between batches
 * Exit codes: 0 done, 1 failed, 2 usage or refused, 78 bad configuration.
 */
const USAGE = `usage: tds-cli backup | verify FILE [--archive] | restore FILE --yes | status | retention [--loop [--interval-ms N]] [--pause-ms N] [--json]`;

const out = (line: string) => process.stdout.write(`${line}\n`);

class CliExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Nest's Logger (used by the services) into the same pino logger as the service's lines. */
function nestLoggerOver(root: RootLogger): LoggerService {
  const at =
    (level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal') =>
    (message: unknown, ...params: unknown[]) => {
      const context = params.length && typeof params[params.length - 1] === 'string' ? params[params.length - 1] : undefined;
      root[level]({ context }, String(message));
    };
  return { log: at('info'), error: at('error'), warn: at('warn'), debug: at('debug'), verbose: at('trace'), fatal: at('fatal') };
}

interface Resources {
  env: EnvironmentVariables;
  db: DatabaseService;
  config: AppConfigService;
  close(): Promise<void>;
}

/** The database the service uses, resolved as the launcher does; an embedded cluster not running is started for the command. */
async function open(env: EnvironmentVariables, log: RootLogger, needsExistingCluster: boolean): Promise<Resources> {
  let embedded: RunningEmbeddedPostgres | undefined;
  let url = databaseUrlFrom(env) ?? readRunningEmbeddedUrl(env.TDS_DATA_DIR);
  if (!url) {
    const databaseDir = join(resolve(env.TDS_DATA_DIR), 'postgres');
    if (needsExistingCluster && !existsSync(join(databaseDir, 'PG_VERSION'))) {
      throw new CliExit(
        1,
        `no database: DATABASE_URL is not set and there is no embedded PostgreSQL in ${databaseDir} yet (start the service once)`,
      );
    }
    log.info(`DATABASE_URL not set and the service is not running: starting the embedded PostgreSQL in ${databaseDir} for this command`);
    embedded = await startEmbeddedPostgres({ databaseDir, port: env.EMBEDDED_PG_PORT, signalsHandledByCaller: true });
    url = embedded.url;
  }
  try {
    await ensureDatabaseExists(url);
    const config = new AppConfigService(buildAppConfig(env, { databaseUrl: url }));
    const db = new DatabaseService(config);
    await db.onModuleInit();
    log.info(`database ${redactDatabaseUrl(url)}`);
    return {
      env,
      db,
      config,
      async close() {
        await db.onApplicationShutdown();
        if (embedded) await embedded.stop();
      },
    };
  } catch (err) {
    if (embedded) await embedded.stop().catch(() => undefined);
    throw err;
  }
}

const summary = (p: PrunePassResult) => {
  const sorted = [...p.batchMs].sort((a, b) => a - b);
  const pick = (q: number) => (sorted.length ? +sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2) : 0);
  return {
    rows: p.rows,
    attemptsDeleted: p.attemptsDeleted,
    scanned: p.scanned,
    batches: p.batches,
    ms: +p.ms.toFixed(1),
    rowsPerSecond: p.ms > 0 ? Math.round((p.rows / p.ms) * 1000) : 0,
    batchMs: { p50: pick(0.5), p95: pick(0.95), max: pick(1) },
  };
};

async function main(argv: string[], signal: AbortSignal): Promise<number> {
  const [command, ...rest] = argv;
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  const args = rest.filter((a, i) => !a.startsWith('--') && !['--pause-ms', '--interval-ms'].includes(rest[i - 1]));
  if (!command || ['-h', '--help', 'help'].includes(command)) {
    out(USAGE);
    return command ? 0 : 2;
  }

  let env: EnvironmentVariables;
  try {
    env = loadEnvironment();
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${err.message}\nFix the variables above (see .env.example) and try again.\n`);
      return 78;
    }
    throw err;
  }
  // Log lines go to stderr: stdout carries only the command's result (status JSON, --json figures).
  const log = createRootLogger(logSection(env), 2).child({ context: 'tds-cli' });
  Logger.overrideLogger(nestLoggerOver(log));

  const needsFile = command === 'verify' || command === 'restore';
  if (needsFile && args.length !== 1) {
    process.stderr.write(`${command} needs one archive file\n${USAGE}\n`);
    return 2;
  }
  if (command === 'restore' && !flags.has('--yes')) {
    process.stderr.write(
      `restore replaces every table of the configured database with the contents of ${args[0]}.\n` +
        `Stop the workers first (every API and worker process of the service: systemctl stop tds-core-api tds-core-worker, ` +
        `or Ctrl-C / SIGTERM to npm start), then run again with --yes:\n  npm run restore -- ${args[0]} --yes\n`,
    );
    return 2;
  }
  if (!['backup', 'verify', 'restore', 'status', 'retention'].includes(command)) {
    process.stderr.write(`unknown command ${command}\n${USAGE}\n`);
    return 2;
  }

  const res = await open(env, log, command !== 'restore');
  try {
    const backups = new BackupsService(res.config, new BackupRunRepository(res.db));
    switch (command) {
      case 'backup': {
        const run = await backups.runBackup({ trigger: 'manual', signal });
        out(`backup ${run.file} (${run.size_bytes} bytes) verified (${run.verify_mode}) in ${run.duration_ms} ms; run ${run.id}`);
        return 0;
      }
      case 'verify': {
        const run = await backups.verifyFile(args[0], flags.has('--archive') ? 'archive' : undefined, signal);
        out(`verified ${run.file} (${run.verify_mode}); run ${run.id}`);
        return 0;
      }
      case 'restore': {
        const restored = await backups.restore(args[0], signal);
        const total = Object.values(restored.counts).reduce((a, b) => a + b, 0);
        out(`restored ${restored.file}: ${Object.keys(restored.counts).length} tables, ${total} rows. Start the service again.`);
        return 0;
      }
      case 'status': {
        out(JSON.stringify(await backups.status()));
        return 0;
      }
      case 'retention': {
        const retention = new RetentionService(res.config, new RetentionRepository(res.db));
        const i = rest.indexOf('--pause-ms');
        const pauseMs = i >= 0 ? Number(rest[i + 1]) : 0;
        const j = rest.indexOf('--interval-ms');
        const intervalMs = j >= 0 ? Number(rest[j + 1]) : 1000;
        if (![pauseMs, intervalMs].every((n) => Number.isFinite(n) && n >= 0)) {
          throw new CliExit(2, '--pause-ms and --interval-ms need a number of milliseconds');
        }
        do {
          const r = await retention.prune({ signal, pauseMs });
          const line = { deleted: summary(r.deleted), cleared: summary(r.cleared), interrupted: r.interrupted };
          out(flags.has('--json') ? JSON.stringify(line) : `retention ${JSON.stringify(line)}`);
          if (flags.has('--loop')) await new Promise((r) => setTimeout(r, intervalMs));
        } while (flags.has('--loop') && !signal.aborted);
        return 0;
      }
    }
    return 2;
  } finally {
    await res.close();
  }
}

const stop = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => stop.abort(new Error(`${sig} received`)));

main(process.argv.slice(2), stop.signal).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof CliExit) {
      process.stderr.write(`${err.message}\n`);
      process.exit(err.code);
    }
    // A failed backup or verification is already recorded (and logged by the service).
    const message = err instanceof BackupFailedError ? `failed: ${err.message}` : `failed: ${(err as Error)?.message ?? String(err)}`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  },
);
