import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupFileName, backupFileTime } from './backup-files';
import { countDifferences } from './backups.service';
import { libpqEnvironment, parseToolVersion, resolveTool } from './pg-tools';

describe('pg tools: found, version-checked, given the connection through the environment', () => {
  const bin = mkdtempSync(join(tmpdir(), 'tds-fake-pg-'));
  const fake = (name: string, versionLine: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\necho '${versionLine}'\n`);
    chmodSync(join(bin, name), 0o755);
  };
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('reads the major version of every known --version format', () => {
    expect(parseToolVersion('pg_dump (PostgreSQL) 15.10 (Debian 15.10-1.pgdg120+1)')).toBe(15);
    expect(parseToolVersion('pg_restore (PostgreSQL) 17.2')).toBe(17);
    expect(parseToolVersion('pg_dump (PostgreSQL) 9.6.24')).toBe(9);
    expect(parseToolVersion('something else')).toBeUndefined();
  });

  it('a tool older than the server fails with what to install', async () => {
    fake('pg_dump', 'pg_dump (PostgreSQL) 13.16');
    await expect(resolveTool('pg_dump', bin, '', 15)).rejects.toThrow(
      /version 13, older than the server \(15\)\. .*apt-get install postgresql-client-15.*PG_BIN_DIR/,
    );
    fake('pg_dump', 'pg_dump (PostgreSQL) 16.4');
    await expect(resolveTool('pg_dump', bin, '', 15)).resolves.toMatchObject({ major: 16, path: join(bin, 'pg_dump') });
  });

  it('a missing tool names where it looked and what to install', async () => {
    await expect(resolveTool('pg_restore', join(bin, 'nowhere'), '', 15)).rejects.toThrow(
      /pg_restore not found in PG_BIN_DIR .*postgresql-client-15/,
    );
    await expect(resolveTool('pg_restore', null, join(bin, 'nowhere'), 16)).rejects.toThrow(/not found on PATH.*postgresql-client-16/);
  });

  it('the password goes into PGPASSWORD, never into an argument', () => {
    const env = libpqEnvironment('postgres://tds%40app:s3cr%2Ft@db.example:6543/tds_prod?sslmode=verify-full', false);
    expect(env).toMatchObject({
      PGHOST: 'db.example',
      PGPORT: '6543',
      PGUSER: 'tds@app',
      PGPASSWORD: 's3cr/t',
      PGDATABASE: 'tds_prod',
      PGSSLMODE: 'verify-full',
    });
    expect(libpqEnvironment('postgres://u@h/d', true, 'scratch')).toMatchObject({ PGDATABASE: 'scratch', PGSSLMODE: 'require' });
  });
});

describe('backup files and counts', () => {
  it('names carry the UTC time to the millisecond and read back', () => {
    const at = new Date('2026-12-01T02:00:03.045Z');
    expect(backupFileName(at)).toBe('tds_backup_20261201_020003_045.dump');
    expect(backupFileTime('tds_backup_20261201_020003_045.dump')).toEqual(at);
    expect(backupFileTime('tds_backup_20261201_020003.dump')).toEqual(new Date('2026-12-01T02:00:03Z'));
    expect(backupFileTime('tds_backup_20261201_020003_045.dump.partial')).toBeUndefined();
    expect(backupFileTime('notes.txt')).toBeUndefined();
  });

  it('count differences name each table', () => {
    expect(countDifferences({ 'erp.a': 1, 'tds.b': 2 }, { 'erp.a': 1, 'tds.b': 2 })).toEqual([]);
    expect(countDifferences({ 'erp.a': 1, 'tds.b': 2 }, { 'erp.a': 0, 'tds.c': 1 })).toEqual([
      'erp.a: 1 at dump time, 0 restored',
      'tds.b: 2 at dump time, absent restored',
      'tds.c: absent at dump time, 1 restored',
    ]);
  });
});
