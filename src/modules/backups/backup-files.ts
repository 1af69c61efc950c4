import { closeSync, fsyncSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** tds_backup_YYYYMMDD_HHMMSS_mmm.dump (UTC), the earlier system's prefix; sorts by time. */
export const BACKUP_FILE = /^tds_backup_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(?:_(\d{3}))?.*\.dump$/;
/** Written under this suffix and renamed when pg_dump has finished (a crash leaves only a .partial). */
export const PARTIAL_SUFFIX = '.partial';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function backupFileName(at: Date): string {
  return (
    `tds_backup_${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}_` +
    `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}_${pad(at.getUTCMilliseconds(), 3)}.dump`
  );
}

/** The time in a backup file's name, or undefined for any other name. */
export function backupFileTime(name: string): Date | undefined {
  const m = BACKUP_FILE.exec(name);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms] = m;
  return new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms ? +ms : 0));
}

export interface BackupFile {
  name: string;
  path: string;
  time: Date;
}

/** The backup files in `dir` (only names this service writes), oldest first. */
export function listBackupFiles(dir: string): BackupFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, path: join(dir, name), time: backupFileTime(name) }))
    .filter((f): f is BackupFile => f.time !== undefined)
    .sort((a, b) => a.time.getTime() - b.time.getTime());
}

/** Leftover temporary files (a dump cut off by a crash) older than `olderThanMs`. */
export function staleTemporaryFiles(dir: string, olderThanMs: number, now = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith('tds_backup_') && n.endsWith(PARTIAL_SUFFIX))
    .map((n) => join(dir, n))
    .filter((p) => {
      try {
        return now - statSync(p).mtimeMs > olderThanMs;
      } catch {
        return false;
      }
    });
}

/** Flushes a file (or a folder's entries, after a rename) to disk. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
