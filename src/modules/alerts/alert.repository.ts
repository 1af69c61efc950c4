import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DatabaseService } from '../../database/database.service';
import type { AlertSeverity } from '../notifications/alert-notice';

export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

export interface AlertRow {
  id: string;
  rule: string;
  title: string;
  severity: AlertSeverity;
  status: AlertStatus;
  value: number | null;
  threshold: number | null;
  unit: string | null;
  summary: string;
  occurrences: number;
  opened_at: Date;
  last_seen_at: Date;
  last_notified_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  acknowledge_note: string | null;
  resolved_at: Date | null;
}

const COLUMNS = `id::text AS id, rule, title, severity, status, value, threshold, unit, summary, occurrences, opened_at,
  last_seen_at, last_notified_at, acknowledged_at, acknowledged_by, acknowledge_note, resolved_at`;

// The unresolved alerts of the rules to evaluate, locked until the evaluation's transaction ends: an acknowledgement
// arriving meanwhile waits for it (and sees the updated row), and two evaluations of one rule never interleave.
const LOCK_UNRESOLVED = `SELECT ${COLUMNS} FROM tds.alerts WHERE rule = ANY($1::text[]) AND status <> 'resolved' ORDER BY id FOR UPDATE`;

// alerts_one_unresolved_per_rule_uq makes a second unresolved alert of a rule impossible: a concurrent opener
// conflicts, gets no row, and evaluates again against the winner's alert.
const OPEN = `
  INSERT INTO tds.alerts (rule, title, severity, value, threshold, unit, summary)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (rule) WHERE status <> 'resolved' DO NOTHING
  RETURNING ${COLUMNS}`;

// The condition seen again ($8 = firing): occurrences and last_seen count only real sightings; inside the hysteresis
// margin only the current value (and severity) change. An escalation re-opens an acknowledged alert ($9): it was
// acknowledged at a lower severity. $10: a notice goes out now (last_notified_at).
const UPDATE = `
  UPDATE tds.alerts
  SET severity = $2, value = $3, threshold = $4, title = $5, summary = $6, unit = $7,
      occurrences = occurrences + CASE WHEN $8::boolean THEN 1 ELSE 0 END,
      last_seen_at = CASE WHEN $8::boolean THEN now() ELSE last_seen_at END,
      status = CASE WHEN $9::boolean THEN 'open' ELSE status END,
      last_notified_at = CASE WHEN $10::boolean THEN now() ELSE last_notified_at END
  WHERE id = $1
  RETURNING ${COLUMNS}`;

const RESOLVE = `
  UPDATE tds.alerts SET status = 'resolved', resolved_at = now(), value = $2
  WHERE id = $1 AND status <> 'resolved'
  RETURNING ${COLUMNS}`;

// Every unresolved alert, without locks: lets an evaluation skip the rules with nothing to do (no alert, not firing).
const UNRESOLVED = `SELECT ${COLUMNS} FROM tds.alerts WHERE status <> 'resolved'`;

const OPEN_COUNTS = `
  SELECT severity, count(*)::int AS n FROM tds.alerts WHERE status <> 'resolved' GROUP BY severity`;

// alerts_status_idx serves both the filtered and the unfiltered list (newest first).
const LIST = `SELECT ${COLUMNS} FROM tds.alerts WHERE ($1::text IS NULL OR status = $1) ORDER BY id DESC LIMIT $2`;

const FIND = `SELECT ${COLUMNS} FROM tds.alerts WHERE id = $1`;

// Only an open alert is acknowledged; the first acknowledgement (who, when, note) is kept.
const ACKNOWLEDGE = `
  UPDATE tds.alerts SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $2, acknowledge_note = $3
  WHERE id = $1 AND status = 'open'
  RETURNING ${COLUMNS}`;

export interface AlertWrite {
  severity: AlertSeverity;
  value: number | null;
  threshold: number | null;
  title: string;
  summary: string;
  unit: string | null;
}

@Injectable()
export class AlertRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Runs fn in one transaction (an evaluation of one rule). */
  inTransaction<T>(fn: (tx: PoolClient) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async lockUnresolved(tx: PoolClient, rules: string[]): Promise<AlertRow[]> {
    return (await tx.query<AlertRow>(LOCK_UNRESOLVED, [rules])).rows;
  }

  /** The new alert, or undefined when another unresolved alert of the rule exists (a concurrent opener won). */
  async open(tx: PoolClient, rule: string, a: AlertWrite): Promise<AlertRow | undefined> {
    return (await tx.query<AlertRow>(OPEN, [rule, a.title, a.severity, a.value, a.threshold, a.unit, a.summary])).rows[0];
  }

  async update(tx: PoolClient, id: string, a: AlertWrite, firing: boolean, reopen: boolean, notified: boolean): Promise<AlertRow> {
    const res = await tx.query<AlertRow>(UPDATE, [
      id,
      a.severity,
      a.value,
      a.threshold,
      a.title,
      a.summary,
      a.unit,
      firing,
      reopen,
      notified,
    ]);
    return res.rows[0];
  }

  async resolve(tx: PoolClient, id: string, value: number | null): Promise<AlertRow | undefined> {
    return (await tx.query<AlertRow>(RESOLVE, [id, value])).rows[0];
  }

  unresolved(): Promise<AlertRow[]> {
    return this.db.query<AlertRow>(UNRESOLVED);
  }

  async openCounts(): Promise<Record<string, number>> {
    const rows = await this.db.query<{ severity: string; n: number }>(OPEN_COUNTS);
    return Object.fromEntries(rows.map((r) => [r.severity, r.n]));
  }

  list(status: AlertStatus | null, limit: number): Promise<AlertRow[]> {
    return this.db.query<AlertRow>(LIST, [status, limit]);
  }

  async find(id: string): Promise<AlertRow | undefined> {
    return (await this.db.query<AlertRow>(FIND, [id]))[0];
  }

  async acknowledge(id: string, by: string | null, note: string | null): Promise<AlertRow | undefined> {
    return (await this.db.query<AlertRow>(ACKNOWLEDGE, [id, by, note]))[0];
  }
}
