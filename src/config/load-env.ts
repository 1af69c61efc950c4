import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { EnvironmentVariables, validate } from './env.validation';

/**
 * The one place that reads the environment (besides the entry point): `.env` when present, with real environment
 * variables winning, validated at once. The environment is only read, never written.
 * Throws ConfigValidationError listing every bad key. Used by the launcher and by ormconfig.ts (TypeORM CLI).
 */
export function loadEnvironment(cwd = process.cwd()): EnvironmentVariables {
  const envFile = resolve(cwd, '.env');
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return validate({ ...fromFile, ...process.env });
}
