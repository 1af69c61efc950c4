import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Webhooks are never open. When neither WEBHOOK_API_KEYS/WEBHOOK_API_KEY nor ZOHO_WEBHOOK_SECRET(S) is set,
 * a random key is generated once, kept in <TDS_DATA_DIR>/webhook-api-key (0600) and used from then on.
 * Production refuses this fallback: keys must be configured explicitly there (see main.ts).
 */
export function loadOrCreateGeneratedWebhookKey(dataDir: string): { key: string; file: string; created: boolean } {
  const dir = resolve(dataDir);
  const file = join(dir, 'webhook-api-key');
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), file, created: false };
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(24).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, file, created: true };
}
