import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { hostname } from 'node:os';
import { AppConfigService } from '../../config/app-config.service';
import { toolSearchPath } from '../../config/child-env';
import { connectDedicated } from '../../database/pg-connections';
import { BackupRunRepository, BackupRunRow, BackupTrigger, RowCounts, VerifyMode } from './backup-run.repository';
import { backupFileName, fsyncPath, listBackupFiles, PARTIAL_SUFFIX, staleTemporaryFiles } from './backup-files';
import { libpqEnvironment, PgTool, resolveTool, runTool, ToolResult } from './pg-tools';

/** What the alert rule reads (issue #13: a failed backup, or no verified backup for 26 hours while enabled). */
export interface BackupStatus {
  enabled: boolean;
  lastRun: {
    id: string;
    trigger: BackupTrigger;
    status: 'running' | 'succeeded' | 'failed';
    startedAt: Date;
    finishedAt: Date | null;
    file: string | null;
    error: string | null;
  } | null;
  lastVerifiedAt: Date | null;
  lastVerifiedFile: string | null;
  /** The error of the newest run when it failed, else null. */
  lastError: string | null;
  lastFailureAt: Date | null;
  /** The newest run (backup or verification) failed. */
  lastRunFailed: boolean;
  /** Backups are enabled and no backup was verified in the last `maxVerifiedAgeHours` (counted from this process's start when none ever was). */
  verifiedBackupOverdue: boolean;
  maxVerifiedAgeHours: number;
}

export interface BackupOptions {
  trigger: 'schedule' | 'manual';
  scheduledAt?: Date;
  signal?: AbortSignal;
}

/** The run failed: the row says how (BackupRunRow.error); the message repeats it. */
export class BackupFailedError extends Error {
  constructor(
    readonly run: BackupRunRow,
    message: string,
  ) {
    super(message);
    this.name = 'BackupFailedError';
  }
}

const DAY_MS = 86_400_000;
/** A .partial left this long is a dump cut off by a crash (a dump in progress renames well before). */
const STALE_PARTIAL_MS = DAY_MS;

const firstLines = (r: ToolResult) =>
  (r.stderr || r.stdout).trim().split('\n').slice(0, 5).join(' | ').slice(0, 1000) || `exit code ${r.code ?? r.signal}`;

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/** Tables whose counts differ, as "erp.invoices: 3 at dump time, 2 restored". */
export function countDifferences(expected: RowCounts, actual: RowCounts): string[] {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return names
    .filter((n) => expected[n] !== actual[n])
    .map((n) => `${n}: ${expected[n] ?? 'absent'} at dump time, ${actual[n] ?? 'absent'} restored`);
}

/**
 * Backups (docs/BACKUP_GUIDE.md, docs/decisions/0017-backups-and-retention.md): pg_dump in custom format inside an
 * exported snapshot whose row counts are stored with the run; verification (the archive reads back whole; with
 * BACKUP_VERIFY=full a restore into a scratch database with the same counts); file retention after a verified
 * backup; restore. Used by the in-app schedule (BackupsScheduler), the dashboard and the CLI (src/cli/tds-cli.ts),
 * which builds this class over the same config and database as the service.
 */
/** Whether a process of this machine with this pid exists (EPERM: it exists, owned by another user). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

@Injectable()
export class BackupsService {
  private readonly logger = new Logger(BackupsService.name);
  private readonly startedAt = Date.now();

  constructor(
    private readonly config: AppConfigService,
    private readonly runs: BackupRunRepository,
  ) {}

  get dir(): string {
    return resolve(this.config.backups.dir);
  }

  /** pg_dump and pg_restore, checked against the server's major version. */
  async tools(): Promise<{ pgDump: PgTool; pgRestore: PgTool; server: { major: number; version: string } }> {
    const server = await this.runs.serverVersion();
    const { pgBinDir } = this.config.backups;
    const pgDump = await resolveTool('pg_dump', pgBinDir, toolSearchPath(), server.major);
    const pgRestore = await resolveTool('pg_restore', pgBinDir, toolSearchPath(), server.major);
    return { pgDump, pgRestore, server };
  }

  /** Makes, verifies and records one backup; then applies file retention. Throws BackupFailedError (recorded) on failure. */
  async runBackup(options: BackupOptions): Promise<BackupRunRow> {
    const mode: VerifyMode = this.config.backups.verify;
    const run = await this.runs.start(options.trigger, options.scheduledAt ?? null, null, mode);
    const signal = options.signal;
    const dir = this.dir;
    const file = join(dir, backupFileName(new Date()));
    const partial = file + PARTIAL_SUFFIX;
    let dumped: { counts: RowCounts; size: number } | undefined;
    try {
      const { pgDump, pgRestore, server } = await this.tools();
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const counts = await this.dump(pgDump, partial, signal);
      chmodSync(partial, 0o600); // the archive holds every ERP row: readable by the service's user only
      fsyncPath(partial);
      renameSync(partial, file);
      fsyncPath(dirname(file));
      const size = statSync(file).size;
      dumped = { counts, size };
      await this.runs.dumped(run.id, file, size, counts, pgDump.version, server.version);
      signal?.throwIfAborted();
      const restoredCounts = await this.verify(pgRestore, file, mode, counts, signal);
      const done = await this.runs.finish(run.id, { status: 'succeeded', verified: true, restoredCounts });
      this.logger.log(`backup run=${run.id} ${file} (${size} bytes) verified (${mode}) in ${done.duration_ms} ms`);
      await this.applyRetention(file);
      return done;
    } catch (err) {
      rmSync(partial, { force: true });
      const message = (err as Error).message ?? String(err);
      const failed = await this.runs.finish(run.id, {
        status: 'failed',
        verified: false,
        error: message,
        file: dumped ? file : null,
        sizeBytes: dumped?.size ?? null,
      });
      this.logger.error(`backup run=${run.id} failed: ${message}`);
      throw new BackupFailedError(failed, message);
    }
  }

  /**
   * Verifies an existing archive (npm run backup:verify) and records the result as a 'verify' run. With mode full it
   * restores into a scratch database; the counts are compared with those stored when this file was made, if known.
   */
  async verifyFile(path: string, mode: VerifyMode = this.config.backups.verify, signal?: AbortSignal): Promise<BackupRunRow> {
    const file = resolve(path);
    const run = await this.runs.start('verify', null, file, mode);
    try {
      if (!existsSync(file)) throw new Error(`${file} does not exist`);
      const size = statSync(file).size;
      const { pgRestore } = await this.tools();
      const made = await this.runs.dumpOf(file);
      const restoredCounts = await this.verify(pgRestore, file, mode, made?.row_counts ?? null, signal);
      const done = await this.runs.finish(run.id, {
        status: 'succeeded',
        verified: true,
        restoredCounts,
        sizeBytes: size,
        rowCounts: made?.row_counts ?? null,
      });
      this.logger.log(`verify run=${run.id} ${file}: verified (${mode})`);
      return done;
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      const failed = await this.runs.finish(run.id, { status: 'failed', verified: false, error: message });
      this.logger.error(`verify run=${run.id} ${file} failed: ${message}`);
      throw new BackupFailedError(failed, message);
    }
  }

  /**
   * Replaces the configured database's contents with the archive (pg_restore --clean --single-transaction: all or
   * nothing). The archive is checked first; refused while a process of the service is alive (a fresh heartbeat).
   */
  async restore(path: string, signal?: AbortSignal): Promise<{ file: string; counts: RowCounts }> {
    const file = resolve(path);
    if (!existsSync(file)) throw new Error(`${file} does not exist`);
    const { pgRestore } = await this.tools();
    await this.verifyArchive(pgRestore, file, signal);
    const withinSeconds = Math.max(30, Math.ceil((3 * this.config.queue.heartbeatIntervalMs) / 1000));
    // A process of this machine that is gone does not count, fresh heartbeat or not: one stopped by Ctrl-C (its
    // embedded PostgreSQL got the signal too and shut down before the process could mark itself stopped) or killed.
    const live = (await this.runs.liveProcesses(withinSeconds)).filter((p) => p.hostname !== hostname() || pidAlive(p.pid));
    if (live.length) {
      throw new Error(
        `Stop the service's processes (API and workers) first: ${live.length} alive (heartbeat within ${withinSeconds} s): ` +
          live.map((p) => `${p.role} pid ${p.pid} on ${p.hostname}`).join(', '),
      );
    }
    const { url, ssl } = this.config.database;
    const result = await runTool(
      pgRestore.path,
      [
        '--clean',
        '--if-exists',
        '--no-owner',
        '--no-privileges',
        '--single-transaction',
        '--exit-on-error',
        `--dbname=${libpqEnvironment(url, ssl).PGDATABASE}`,
        file,
      ],
      libpqEnvironment(url, ssl),
      signal,
    );
    if (result.code !== 0) throw new Error(`pg_restore failed, nothing was changed (one transaction): ${firstLines(result)}`);
    const session = await connectDedicated({ url, ssl }, 'tds-core:restore');
    try {
      const counts = await this.runs.countRows(session.client);
      this.logger.log(`restored ${file}`);
      return { file, counts };
    } finally {
      await session.end();
    }
  }

  list(limit = 50): Promise<BackupRunRow[]> {
    return this.runs.recent(limit);
  }

  /** For the alert rule and the dashboard: the newest run, the newest verified backup, and the two alert conditions. */
  async status(now = new Date()): Promise<BackupStatus> {
    const s = await this.runs.status();
    const { enabled, maxVerifiedAgeHours } = this.config.backups;
    const since = s.last_verified_at ? s.last_verified_at.getTime() : this.startedAt;
    return {
      enabled,
      lastRun: s.last_id
        ? {
            id: s.last_id,
            trigger: s.last_trigger!,
            status: s.last_status!,
            startedAt: s.last_started_at!,
            finishedAt: s.last_finished_at,
            file: s.last_file,
            error: s.last_error,
          }
        : null,
      lastVerifiedAt: s.last_verified_at,
      lastVerifiedFile: s.last_verified_file,
      lastError: s.last_status === 'failed' ? s.last_error : null,
      lastFailureAt: s.last_failure_at,
      lastRunFailed: s.last_status === 'failed',
      verifiedBackupOverdue: enabled && now.getTime() - since > maxVerifiedAgeHours * 3_600_000,
      maxVerifiedAgeHours,
    };
  }

  /** pg_dump of the whole database inside an exported snapshot; returns the row counts of that same snapshot. */
  private async dump(pgDump: PgTool, target: string, signal?: AbortSignal): Promise<RowCounts> {
    const { url, ssl } = this.config.database;
    const session = await connectDedicated({ url, ssl }, 'tds-core:backup');
    try {
      const { snapshot } = await this.runs.beginSnapshot(session.client);
      const counts = await this.runs.countRows(session.client);
      const result = await runTool(
        pgDump.path,
        ['--format=custom', `--file=${target}`, `--snapshot=${snapshot}`, '--no-password'],
        libpqEnvironment(url, ssl),
        signal,
      );
      if (result.code !== 0) throw new Error(`pg_dump failed: ${firstLines(result)}`);
      await this.runs.endSnapshot(session.client);
      return counts;
    } finally {
      await session.end();
    }
  }

  private async verify(
    pgRestore: PgTool,
    file: string,
    mode: VerifyMode,
    expected: RowCounts | null,
    signal?: AbortSignal,
  ): Promise<RowCounts | null> {
    await this.verifyArchive(pgRestore, file, signal);
    if (mode === 'archive') return null;
    return this.verifyByRestore(pgRestore, file, expected, signal);
  }

  /**
   * The archive reads back whole: its table of contents lists, and every data block decompresses (pg_restore writing
   * the whole script to /dev/null reads each one; --list alone reads only the table of contents).
   */
  private async verifyArchive(pgRestore: PgTool, file: string, signal?: AbortSignal): Promise<void> {
    const list = await runTool(pgRestore.path, ['--list', file], {}, signal);
    if (list.code !== 0 || !list.stdout.includes('TABLE DATA')) {
      throw new Error(`the archive's table of contents does not read (pg_restore --list): ${firstLines(list)}`);
    }
    const read = await runTool(pgRestore.path, ['--file=/dev/null', file], {}, signal);
    if (read.code !== 0) throw new Error(`the archive does not read back whole: ${firstLines(read)}`);
  }

  /** Restores into a scratch database, counts every tds/erp table there, compares; the scratch database always goes. */
  private async verifyByRestore(pgRestore: PgTool, file: string, expected: RowCounts | null, signal?: AbortSignal): Promise<RowCounts> {
    const { url, ssl } = this.config.database;
    // Named after the database it checks (a shared server may run several services' checks at once: each finds its own).
    const source = decodeURIComponent(new URL(url).pathname.slice(1))
      .replace(/[^a-z0-9_]/gi, '_')
      .slice(0, 24)
      .toLowerCase();
    const scratch = `tds_verify_${source}_${Date.now()}_${randomBytes(4).toString('hex')}`;
    try {
      await this.runs.createScratchDatabase(scratch);
    } catch (err) {
      throw new Error(
        `BACKUP_VERIFY=full restores into a scratch database, which this role may not create (${(err as Error).message}): ` +
          `grant it CREATEDB (ALTER ROLE <role> CREATEDB) or set BACKUP_VERIFY=archive`,
        { cause: err },
      );
    }
    try {
      const result = await runTool(
        pgRestore.path,
        ['--no-owner', '--no-privileges', '--exit-on-error', '--jobs=2', `--dbname=${scratch}`, file],
        libpqEnvironment(url, ssl, scratch),
        signal,
      );
      if (result.code !== 0) throw new Error(`the archive does not restore: ${firstLines(result)}`);
      const session = await connectDedicated({ url: withDatabase(url, scratch), ssl }, 'tds-core:backup-verify');
      let counts: RowCounts;
      try {
        counts = await this.runs.countRows(session.client);
      } finally {
        await session.end();
      }
      if (!Object.keys(counts).length) throw new Error('the restored copy holds no tds or erp table');
      if (expected) {
        const diff = countDifferences(expected, counts);
        if (diff.length) throw new Error(`the restored copy differs from the dump-time counts: ${diff.join('; ')}`);
      }
      return counts;
    } finally {
      await this.runs.dropScratchDatabase(scratch).catch((err: Error) => {
        this.logger.error(`could not drop the scratch database ${scratch}: ${err.message} (drop it by hand)`);
      });
    }
  }

  /**
   * After a verified backup: files older than BACKUP_RETENTION_DAYS go, except the newest verified backup (and the
   * one just made); temporary files left by a crash go after a day. Files of other names are never touched.
   */
  private async applyRetention(justMade: string): Promise<string[]> {
    const cutoff = Date.now() - this.config.backups.retentionDays * DAY_MS;
    const keep = new Set([justMade]);
    const newestVerified = await this.runs.newestVerifiedFile();
    if (newestVerified) keep.add(newestVerified);
    const removed: string[] = [];
    for (const f of listBackupFiles(this.dir)) {
      if (f.time.getTime() >= cutoff || keep.has(f.path)) continue;
      try {
        rmSync(f.path);
        removed.push(f.path);
      } catch (err) {
        this.logger.warn(`retention: could not remove ${f.path}: ${(err as Error).message}`);
      }
    }
    for (const p of staleTemporaryFiles(this.dir, STALE_PARTIAL_MS)) rmSync(p, { force: true });
    await this.runs.markRemoved(removed);
    if (removed.length)
      this.logger.log(`retention: removed ${removed.length} backup(s) older than ${this.config.backups.retentionDays} days`);
    return removed;
  }
}
