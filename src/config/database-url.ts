import type { EnvironmentVariables } from './env.validation';

/**
 * DATABASE_URL wins; otherwise the earlier system's DATABASE_HOST/PORT/NAME/USER/PASSWORD are assembled.
 * Returns undefined when neither is given (the launcher then starts the embedded PostgreSQL).
 */
export function databaseUrlFrom(env: Partial<EnvironmentVariables>): string | undefined {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  if (!env.DATABASE_HOST) return undefined;
  const user = encodeURIComponent(env.DATABASE_USER ?? 'postgres');
  const password = env.DATABASE_PASSWORD ? `:${encodeURIComponent(env.DATABASE_PASSWORD)}` : '';
  const port = env.DATABASE_PORT ?? 5432;
  const name = encodeURIComponent(env.DATABASE_NAME ?? 'tds');
  return `postgres://${user}${password}@${env.DATABASE_HOST}:${port}/${name}`;
}

/** Same URL with the password hidden, for logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable DATABASE_URL>';
  }
}
