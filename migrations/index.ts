// Every migration, in order. A new migration file must be added here (a unit test checks that none is missing).
import { CreateSchemas1764300000000 } from './1764300000000-CreateSchemas';
import { CreateEventQueue1764300000001 } from './1764300000001-CreateEventQueue';
import { CreateErpTables1764300000002 } from './1764300000002-CreateErpTables';
import { ClaimsAreRowLocks1764300000003 } from './1764300000003-ClaimsAreRowLocks';
import { StockUnknownIsNull1764300000004 } from './1764300000004-StockUnknownIsNull';
import { ContentDedupAndFinalDeletes1764300000005 } from './1764300000005-ContentDedupAndFinalDeletes';
import { SingletonJobRuns1764300000006 } from './1764300000006-SingletonJobRuns';
import { RawIsExactJson1764300000007 } from './1764300000007-RawIsExactJson';
import { AttemptOutcomesWithoutLeases1764300000008 } from './1764300000008-AttemptOutcomesWithoutLeases';
import { MonitoringAndAlerts1764300000009 } from './1764300000009-MonitoringAndAlerts';
import { NotificationAttempts1764300000010 } from './1764300000010-NotificationAttempts';
import { BackupRunsAndRetention1764300000011 } from './1764300000011-BackupRunsAndRetention';
import { Reconciliation1764300000012 } from './1764300000012-Reconciliation';
import { DashboardAuditAndIndexes1764300000013 } from './1764300000013-DashboardAuditAndIndexes';
import { QueueTablesAutovacuum1764300000014 } from './1764300000014-QueueTablesAutovacuum';
import { PublishedProcessMetrics1764300000015 } from './1764300000015-PublishedProcessMetrics';
import { StockEventsInArrivalOrder1764300000016 } from './1764300000016-StockEventsInArrivalOrder';
import { StockWaitsPerItem1764300000017 } from './1764300000017-StockWaitsPerItem';
import { PriceListVolumeBrackets1764300000018 } from './1764300000018-PriceListVolumeBrackets';

export const MIGRATIONS = [
  CreateSchemas1764300000000,
  CreateEventQueue1764300000001,
  CreateErpTables1764300000002,
  ClaimsAreRowLocks1764300000003,
  StockUnknownIsNull1764300000004,
  ContentDedupAndFinalDeletes1764300000005,
  SingletonJobRuns1764300000006,
  RawIsExactJson1764300000007,
  AttemptOutcomesWithoutLeases1764300000008,
  MonitoringAndAlerts1764300000009,
  NotificationAttempts1764300000010,
  BackupRunsAndRetention1764300000011,
  Reconciliation1764300000012,
  DashboardAuditAndIndexes1764300000013,
  QueueTablesAutovacuum1764300000014,
  PublishedProcessMetrics1764300000015,
  StockEventsInArrivalOrder1764300000016,
  StockWaitsPerItem1764300000017,
  PriceListVolumeBrackets1764300000018,
];
