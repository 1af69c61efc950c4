import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CHILD = join(__dirname, '../support/children/embedded-exit-code.cjs');

describe('embedded PostgreSQL and the exit code of its owner', () => {
  it('a process that ran it exits with its own code (a failed test run must not exit 0)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tds-exit-code-'));
    chmodSync(dir, 0o755);
    try {
      const res = spawnSync(process.execPath, [CHILD, join(dir, 'postgres')], { encoding: 'utf8', timeout: 60_000 });
      expect(res.status, `${res.stdout}\n${res.stderr}`).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
