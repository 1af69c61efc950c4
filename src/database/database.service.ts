import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { AppConfigService } from '../config/app-config.service';
import { appPoolConfig, connectDedicated, DatabaseConnectionSettings, DedicatedClient, probePoolConfig } from './pg-connections';
import { SqlPool } from './sql-pool';

function settingsFrom(config: AppConfigService): DatabaseConnectionSettings {
  const db = config.database;
  if (!db.url) throw new Error('DATABASE_URL is not set (the launcher sets it when it starts the embedded PostgreSQL)');
  return {
    url: db.url,
    poolSize: db.poolSize,
    ssl: db.ssl,
    statementTimeoutMs: db.statementTimeoutMs,
    idleInTransactionTimeoutMs: config.queue.lockTimeoutSeconds * 1000,
    // role and pid: pg_stat_activity shows which process holds what (the queue derives `processing` from it)
    applicationName: `tds-core:${config.app.role}:${process.pid}`,
  };
}

/**
 * The one owner of every PostgreSQL connection the running service opens (docs/decisions/0011):
 *  - itself: the application pool (DATABASE_POOL_SIZE; statement timeout, the fence's idle-in-transaction timeout,
 *    application_name `tds-core:<role>:<pid>`), typed `query<Row>()` / `execute()` / `transaction()`;
 *  - `probes`: the health checks' own 3-connection pool, so a probe never queues behind the application pool;
 *  - `dedicatedClient()`: a session outside both pools (the worker's LISTEN, a singleton job's advisory lock).
 * Both pools close after every other module's shutdown hook (a global module's hooks run last), so the heartbeat's
 * final write still has its pool.
 */
@Injectable()
export class DatabaseService extends SqlPool implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseService.name);
  readonly probes: SqlPool;
  private readonly settings: DatabaseConnectionSettings;

  constructor(config: AppConfigService) {
    const settings = settingsFrom(config);
    super(new Pool(appPoolConfig(settings)));
    this.settings = settings;
    // An idle pooled connection that the server ends (restart, admin shutdown) is replaced on the next checkout;
    // without a listener pg would raise it as an unhandled 'error' and end the process.
    this.pool.on('error', (err) => this.logger.warn(`idle database connection lost: ${err.message}`));
    const probes = new Pool(probePoolConfig(settings));
    probes.on('error', () => undefined); // a dropped idle probe connection is reconnected on the next probe
    this.probes = new SqlPool(probes);
  }

  /** Connects once at boot: an unreachable database stops the boot here (the launcher reports it), not at the first request. */
  async onModuleInit(): Promise<void> {
    const client = await this.pool.connect();
    client.release();
  }

  /** A connected session of its own, named `applicationName` in pg_stat_activity; the caller ends it. */
  dedicatedClient(applicationName: string): Promise<DedicatedClient> {
    return connectDedicated(this.settings, applicationName);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.end(), this.probes.end()]);
  }
}
