import { Client, type ClientConfig, type PoolConfig } from 'pg';

/** What every connection of the service is built from (AppConfigService.database, plus the queue's fence). */
export interface DatabaseConnectionSettings {
  url: string;
  poolSize: number;
  ssl?: boolean;
  statementTimeoutMs?: number;
  /** idle_in_transaction_session_timeout: a session idle inside a transaction this long is ended by the server. */
  idleInTransactionTimeoutMs?: number;
  applicationName?: string;
}

const sslOption = (ssl?: boolean) => (ssl ? { rejectUnauthorized: false } : undefined);

/** The application pool: every repository statement, the ingest batches and the worker's batch transactions. */
export function appPoolConfig(settings: DatabaseConnectionSettings): PoolConfig {
  return {
    connectionString: settings.url,
    ssl: sslOption(settings.ssl),
    max: settings.poolSize,
    // Fail fast when PostgreSQL is unreachable so webhooks answer 503 quickly instead of hanging.
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
    statement_timeout: settings.statementTimeoutMs ?? 30000,
    // statement_timeout is the server's: it cannot fire when the server is unreachable without closing the socket (a
    // partition, a hung host). The client gives up a little later, and the pool then discards that connection.
    query_timeout: (settings.statementTimeoutMs ?? 30000) + 5000,
    // The worker's fence: a batch transaction whose process stalls (or vanished without closing its socket) is
    // ended by PostgreSQL, its row locks released and its work rolled back (docs/decisions/0004).
    idle_in_transaction_session_timeout: settings.idleInTransactionTimeoutMs ?? 60000,
    application_name: settings.applicationName ?? 'tds-core',
    keepAlive: true,
  };
}

/**
 * The health probes' pool: a busy application pool (ingest under load) must not make a probe wait, and a dead
 * database must fail the probe within its timeout. Three connections, so the checks of one /health call (ping,
 * queue age, worker heartbeats) run side by side: one round trip instead of three, which is what /health costs when
 * the event loop is saturated by ingest (each round trip waits a whole loop turn).
 */
export function probePoolConfig(settings: Pick<DatabaseConnectionSettings, 'url' | 'ssl'>): PoolConfig {
  return {
    connectionString: settings.url,
    ssl: sslOption(settings.ssl),
    max: 3,
    connectionTimeoutMillis: 1000,
    idleTimeoutMillis: 0,
    application_name: 'tds-core:health',
    statement_timeout: 1000,
  };
}

/** A connection of its own, outside every pool, for a session that must live as long as its holder wants. */
export interface DedicatedClient {
  readonly client: Client;
  /** Settles once the session is gone (error or end); attached before connecting, so no loss goes unseen. */
  readonly closed: Promise<void>;
  /** Ends the session; never throws. */
  end(): Promise<void>;
}

/**
 * Opens a dedicated connection: a LISTEN session, or the session that holds a session-level advisory lock (a pooled
 * connection would hand the lock or the subscription to whoever borrows it next). An error on it never surfaces as
 * an unhandled 'error' event: it only settles `closed`.
 */
export async function connectDedicated(
  settings: Pick<DatabaseConnectionSettings, 'url' | 'ssl'>,
  applicationName: string,
): Promise<DedicatedClient> {
  const config: ClientConfig = {
    connectionString: settings.url,
    ssl: sslOption(settings.ssl),
    application_name: applicationName,
    keepAlive: true,
  };
  const client = new Client(config);
  const closed = new Promise<void>((resolve) => {
    client.on('error', () => resolve());
    client.on('end', () => resolve());
  });
  const end = () => client.end().catch(() => undefined);
  try {
    await client.connect();
  } catch (err) {
    await end();
    throw err;
  }
  return { client, closed, end };
}
