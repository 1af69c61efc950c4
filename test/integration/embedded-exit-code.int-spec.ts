import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CHILD = join(__dirname, '../support/children/embedded-exit-code.cjs');

describe('embedded PostgreSQL and the exit code of its owner', () => {
  it.each([3, 0])('a process that ran it exits with its own code (%i): a failed test run exits non-zero, a passing one 0', (code) => {
    const dir = mkdtempSync(join(tmpdir(), 'tds-exit-code-'));
    chmodSync(dir, 0o755);
    try {
      const res = spawnSync(process.execPath, [CHILD, join(dir, 'postgres'), String(code)], { encoding: 'utf8', timeout: 60_000 });
      expect(res.status, `${res.stdout}\n${res.stderr}`).toBe(code);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
