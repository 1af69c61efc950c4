import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { EnvironmentVariables, validate } from './env.validation';

/**
 * Reads `.env` (when present; real environment variables win) and validates the result.
 * Throws ConfigValidationError listing every bad key.
 */
export function loadEnvironment(cwd = process.cwd()): EnvironmentVariables {
  const envFile = resolve(cwd, '.env');
  if (existsSync(envFile)) {
    const before = { ...process.env };
    process.loadEnvFile(envFile);
    Object.assign(process.env, before); // loadEnvFile overwrites; the real environment must win
  }
  return validate(process.env);
}

/** The launcher hands the resolved URL (embedded server, created database) to the Nest app through the env. */
export function setRuntimeDatabaseUrl(url: string): void {
  process.env.DATABASE_URL = url;
}

/** The launcher's generated webhook key (used only when no key or secret is configured). */
export function setGeneratedWebhookKey(key: string): void {
  process.env.WEBHOOK_API_KEYS = key;
}
