import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { AppConfigService } from '../../config/app-config.service';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { AlertNotice, AlertNoticeKind, AlertSeverity } from '../notifications/alert-notice';
import { SEVERITY_RANK } from '../notifications/alert-notice';
import { NotificationsService } from '../notifications/notifications.service';
import type { MonitoringSnapshot, OpenAlertCounts } from '../monitoring/monitoring-snapshot';
import { MonitoringService } from '../monitoring/monitoring.service';
import { evaluateRule } from './alert-evaluation';
import type { AlertRuleDefinition, AlertsConfig } from './alert-rule';
import { ALERT_RULES } from './alert-rules';
import { AlertRepository, AlertRow, AlertStatus, AlertWrite } from './alert.repository';

/** An alert id is a positive bigint; anything else names no alert (404). */
function isAlertId(id: string): boolean {
  return /^\d{1,18}$/.test(id) && BigInt(id) > 0n;
}

const countBy = (values: string[]): Record<string, number> =>
  values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100));

/**
 * The alert lifecycle, once for every rule in ALERT_RULES: on each monitoring snapshot a rule's value opens its alert,
 * updates it (occurrences, last seen, value, severity up or down), re-notifies it while it is critical and
 * unacknowledged (ALERT_RENOTIFY_MINUTES), or resolves it once the value has cleared the level by TDS_ALERT_HYSTERESIS.
 * A run's writes share one short transaction holding the alerts' row locks (rules in list order, so two concurrent
 * evaluations never wait on each other in a cycle); notices go out after the commit (NotificationsService.notify
 * never throws and never waits).
 */
@Injectable()
export class AlertsService implements OnModuleInit {
  private readonly logger = new Logger(AlertsService.name);
  private readonly rules: readonly AlertRuleDefinition[] = ALERT_RULES;

  constructor(
    private readonly alerts: AlertRepository,
    private readonly notifications: NotificationsService,
    private readonly monitoring: MonitoringService,
    private readonly config: AppConfigService,
  ) {}

  onModuleInit(): void {
    this.monitoring.setEvaluator((snapshot, signal) => this.evaluate(snapshot, signal));
  }

  /**
   * Runs every rule on the snapshot; returns the open (unresolved) alerts by severity afterwards. The rules with
   * something to do (an unresolved alert, or a value that fires) are applied in one transaction (one commit per run).
   */
  async evaluate(snapshot: MonitoringSnapshot, signal?: AbortSignal): Promise<OpenAlertCounts> {
    const config = this.config.alerts;
    const before = await this.alerts.unresolved();
    const unresolved = new Set(before.map((a) => a.rule));
    const due: { rule: AlertRuleDefinition; value: number | null }[] = [];
    for (const rule of this.rules) {
      let value: number | null;
      try {
        value = rule.read(snapshot, config);
      } catch (err) {
        // A section missing from this snapshot (its collector failed or is not registered): not judged.
        this.logger.warn(`alert rule ${rule.name} could not read the snapshot: ${(err as Error).message}`);
        continue;
      }
      // Nothing to do without an alert and without the condition (the usual case): no write, no lock.
      if (unresolved.has(rule.name) || (value !== null && this.fires(rule, value, config))) due.push({ rule, value });
    }
    signal?.throwIfAborted();
    if (due.length) {
      const notices = await this.alerts.inTransaction(async (tx) => {
        const locked = new Map(
          (
            await this.alerts.lockUnresolved(
              tx,
              due.map((d) => d.rule.name),
            )
          ).map((a) => [a.rule, a]),
        );
        const out: AlertNotice[] = [];
        for (const { rule, value } of due) out.push(...(await this.apply(tx, rule, value, locked.get(rule.name), snapshot, config)));
        return out;
      });
      // After the commit, never inside it: notify() hands the notice to the channels and returns at once.
      for (const n of notices) this.notifications.notify(n);
    }
    // Nothing written: the alerts read at the start are still the open ones.
    const counts = due.length ? await this.alerts.openCounts() : countBy(before.map((a) => a.severity));
    return { critical: counts.critical ?? 0, warning: counts.warning ?? 0, info: counts.info ?? 0 };
  }

  private fires(rule: AlertRuleDefinition, value: number, config: AlertsConfig): boolean {
    const decision = evaluateRule({ direction: rule.direction, levels: rule.levels(config), value, current: null, hysteresis: 0 });
    return decision.action === 'open';
  }

  /** One rule's decision applied to its (locked) unresolved alert; returns the notices to send after the commit. */
  private async apply(
    tx: PoolClient,
    rule: AlertRuleDefinition,
    value: number | null,
    current: AlertRow | undefined,
    snapshot: MonitoringSnapshot,
    config: AlertsConfig,
  ): Promise<AlertNotice[]> {
    const levels = rule.levels(config);
    const hysteresis = rule.hysteresis === false ? 0 : config.hysteresis;
    const decision = evaluateRule({ direction: rule.direction, levels, value, current: current?.severity ?? null, hysteresis });
    const write = (severity: AlertSeverity, threshold: number): AlertWrite => ({
      severity,
      value,
      threshold,
      unit: rule.unit,
      title: this.titleOf(rule, threshold),
      summary: this.summaryOf(rule, value!, threshold, snapshot),
    });
    switch (decision.action) {
      case 'none':
        return [];
      case 'open': {
        const opened = await this.alerts.open(tx, rule.name, write(decision.severity, decision.threshold));
        if (!opened) {
          // A concurrent evaluation opened it first (the unique index made this insert wait for it, then skip):
          // evaluate again against that alert, now committed and locked here.
          const [winner] = await this.alerts.lockUnresolved(tx, [rule.name]);
          return winner ? this.apply(tx, rule, value, winner, snapshot, config) : [];
        }
        this.logger.warn(`alert ${opened.id} opened: [${opened.severity}] ${opened.summary}`);
        return [this.noticeOf('opened', opened, rule)];
      }
      case 'update': {
        const cur = current!;
        const changed = decision.severity !== cur.severity;
        const escalated = SEVERITY_RANK[decision.severity] > SEVERITY_RANK[cur.severity];
        const reopen = escalated && cur.status === 'acknowledged';
        const status = reopen ? 'open' : cur.status;
        const reminder =
          !changed &&
          decision.severity === 'critical' &&
          status === 'open' &&
          Date.now() - cur.last_notified_at.getTime() >= config.renotifyMinutes * 60_000;
        const row = await this.alerts.update(
          tx,
          cur.id,
          write(decision.severity, decision.threshold),
          decision.firing,
          reopen,
          changed || reminder,
        );
        if (changed) {
          this.logger.warn(`alert ${row.id} ${escalated ? 'escalated' : 'de-escalated'} to ${row.severity}: ${row.summary}`);
          return [this.noticeOf('severity_changed', row, rule)];
        }
        if (reminder) {
          this.logger.warn(`alert ${row.id} still critical and unacknowledged: ${row.summary}`);
          return [this.noticeOf('reminder', row, rule)];
        }
        return [];
      }
      case 'resolve': {
        const row = await this.alerts.resolve(tx, current!.id, value);
        if (!row) return [];
        this.logger.log(`alert ${row.id} resolved (${rule.name}, value ${value === null ? '-' : fmt(value)})`);
        return [this.noticeOf('resolved', row, rule)];
      }
    }
  }

  private titleOf(rule: AlertRuleDefinition, threshold: number): string {
    if (rule.unit === null) return rule.title;
    return `${rule.title} ${rule.direction === 'above' ? 'above' : 'below'} ${fmt(threshold)}${rule.unit === '%' ? '%' : ` ${rule.unit}`}`;
  }

  private summaryOf(rule: AlertRuleDefinition, value: number, threshold: number, snapshot: MonitoringSnapshot): string {
    if (rule.describe) return rule.describe(value, snapshot);
    const unit = rule.unit === '%' ? '%' : rule.unit ? ` ${rule.unit}` : '';
    return `${rule.title} is ${fmt(value)}${unit} (${rule.direction === 'above' ? 'above' : 'below'} ${fmt(threshold)}${unit})`;
  }

  private noticeOf(kind: AlertNoticeKind, row: AlertRow, rule: AlertRuleDefinition): AlertNotice {
    const yesNo = rule.unit === null;
    return {
      kind,
      alertId: row.id,
      rule: row.rule,
      title: row.title,
      severity: row.severity,
      value: yesNo ? null : row.value,
      threshold: yesNo ? null : row.threshold,
      unit: row.unit,
      openedAt: row.opened_at,
      lastSeenAt: row.last_seen_at,
      occurrences: row.occurrences,
      summary: kind === 'resolved' ? `Resolved: ${row.summary}` : row.summary,
      action: rule.runbook,
    };
  }

  /** Newest first; `status` null = every status. */
  list(status: AlertStatus | null, limit: number): Promise<AlertRow[]> {
    return this.alerts.list(status, limit);
  }

  /**
   * Acknowledges an open alert (who: the admin key's name). An alert already acknowledged is returned as it is (the
   * first acknowledgement is kept); a resolved one is a conflict; an unknown id is not found.
   */
  async acknowledge(id: string, by: string | null, note: string | null): Promise<AlertRow> {
    if (!isAlertId(id)) throw new DomainError(ErrorCode.AlertNotFound, `Alert ${id} not found`, { id });
    const row = await this.alerts.acknowledge(id, by, note);
    if (row) {
      this.logger.log(`alert ${row.id} (${row.rule}) acknowledged by ${by ?? 'an admin key'}`);
      return row;
    }
    const existing = await this.alerts.find(id);
    if (!existing) throw new DomainError(ErrorCode.AlertNotFound, `Alert ${id} not found`, { id });
    if (existing.status === 'resolved') {
      throw new DomainError(ErrorCode.AlertAlreadyResolved, `Alert ${id} is already resolved; nothing to acknowledge`, {
        id,
        resolvedAt: existing.resolved_at,
      });
    }
    return existing;
  }

  /** The rule definitions (for the API's runbook text). */
  ruleNamed(name: string): AlertRuleDefinition | undefined {
    return this.rules.find((r) => r.name === name);
  }
}
