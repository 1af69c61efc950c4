import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnvironment } from './load-env';

describe('loadEnvironment', () => {
  it('reads .env under the real environment, without writing process.env', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tds-env-'));
    try {
      writeFileSync(join(dir, '.env'), 'TDS_TEST_ONLY_KEY=1\nTDS_BATCH_SIZE=42\nLOG_LEVEL=debug\n');
      const before = { ...process.env };
      const env = loadEnvironment(dir);
      expect(env.TDS_BATCH_SIZE).toBe(42);
      expect(env.LOG_LEVEL).toBe(process.env.LOG_LEVEL ?? 'debug'); // the real environment wins
      expect(process.env).toEqual(before);
      expect(Object.isFrozen(env)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
