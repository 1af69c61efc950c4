import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Outside production, when ADMIN_API_KEYS is unset, the launcher uses a generated admin key so that a newcomer can
 * use the dashboard at once: created once, kept in <TDS_DATA_DIR>/admin-api-key (0600), printed at start. Its name
 * in the audit log is `generated`. Production never generates one: without ADMIN_API_KEYS the admin API answers 403.
 * Two processes starting together on one data folder agree on one key (exclusive create, then read).
 */
export function loadOrCreateGeneratedAdminKey(dataDir: string): { key: string; file: string; created: boolean } {
  const dir = resolve(dataDir);
  const file = join(dir, 'admin-api-key');
  const read = () => readFileSync(file, 'utf8').trim();
  try {
    const existing = read();
    if (existing) return { key: existing, file, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(24).toString('base64url');
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { key: read(), file, created: false };
    throw err;
  }
  return { key, file, created: true };
}
