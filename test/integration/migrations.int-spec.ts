import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('migrations/index.ts lists every migration file, in timestamp order', () => {
    const files = readdirSync(join(__dirname, '../../migrations'))
      .filter((f) => /^\d+-.+\.ts$/.test(f))
      .sort();
    const listed = MIGRATIONS.map((m) => new m().name);
    expect(listed).toEqual(files.map((f) => f.replace(/^(\d+)-(.+)\.ts$/, '$2$1')));
  });

  it('every migration reverts cleanly and applies again', async () => {
    const ds = new DataSource(buildDataSourceOptions({ url: db.url, poolSize: 1 }));
    await ds.initialize();
    try {
      for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
      const left = await ds.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema IN ('tds', 'erp')`);
      expect(left[0].n).toBe(0);
      const applied = await ds.runMigrations({ transaction: 'each' });
      expect(applied).toHaveLength(MIGRATIONS.length);
      const tables = await ds.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'erp'`);
      expect(tables[0].n).toBe(16);
    } finally {
      await ds.destroy();
    }
  });
});
