import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
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

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100));

/**
 * The alert lifecycle, once for every rule in ALERT_RULES: on each monitoring snapshot a rule's value opens its alert,
 * updates it (occurrences, last seen, value, severity up or down), re-notifies it while it is critical and
 * unacknowledged (ALERT_RENOTIFY_MINUTES), or resolves it once the value has cleared the level by TDS_ALERT_HYSTERESIS.
 * Each rule is evaluated in its own short transaction holding the alert's row lock; notices go out after the commit
 * (NotificationsService.notify never throws and never waits).
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

  /** Runs every rule on the snapshot; returns the open (unresolved) alerts by severity afterwards. */
  async evaluate(snapshot: MonitoringSnapshot, signal?: AbortSignal): Promise<OpenAlertCounts> {
    const config = this.config.alerts;
    for (const rule of this.rules) {
      signal?.throwIfAborted();
      let value: number | null;
      try {
        value = rule.read(snapshot, config);
      } catch (err) {
        // A section missing from this snapshot (its collector failed or is not registered): not judged.
        this.logger.warn(`alert rule ${rule.name} could not read the snapshot: ${(err as Error).message}`);
        continue;
      }
      const notices = await this.evaluateRule(rule, value, snapshot, config);
      for (const n of notices) this.notifications.notify(n);
    }
    const counts = await this.alerts.openCounts();
    return { critical: counts.critical ?? 0, warning: counts.warning ?? 0, info: counts.info ?? 0 };
  }

  private async evaluateRule(rule: AlertRuleDefinition, value: number | null, snapshot: MonitoringSnapshot, config: AlertsConfig) {
    const levels = rule.levels(config);
    const hysteresis = rule.hysteresis === false ? 0 : config.hysteresis;
    // Two passes at most: the second only when a concurrent evaluation opened the rule's alert first.
    for (let pass = 0; pass < 2; pass++) {
      const result = await this.alerts.inTransaction(async (tx) => {
        const current = await this.alerts.lockUnresolved(tx, rule.name);
        const decision = evaluateRule({ direction: rule.direction, levels, value, current: current?.severity ?? null, hysteresis });
        const write = (severity: AlertSeverity, threshold: number): AlertWrite => ({
          severity,
          value,
          threshold,
          unit: rule.unit,
          title: this.titleOf(rule, threshold),
          summary: this.summaryOf(rule, value!, threshold, snapshot),
        });
        const notices: AlertNotice[] = [];
        switch (decision.action) {
          case 'none':
            return { notices };
          case 'open': {
            const opened = await this.alerts.open(tx, rule.name, write(decision.severity, decision.threshold));
            if (!opened) return undefined; // another evaluation opened it: evaluate against that one
            this.logger.warn(`alert ${opened.id} opened: [${opened.severity}] ${opened.summary}`);
            notices.push(this.noticeOf('opened', opened, rule));
            return { notices };
          }
          case 'update': {
            const changed = decision.severity !== current!.severity;
            const escalated = SEVERITY_RANK[decision.severity] > SEVERITY_RANK[current!.severity];
            const reopen = escalated && current!.status === 'acknowledged';
            const status = reopen ? 'open' : current!.status;
            const renotifyMs = config.renotifyMinutes * 60_000;
            const reminder =
              !changed &&
              decision.severity === 'critical' &&
              status === 'open' &&
              Date.now() - current!.last_notified_at.getTime() >= renotifyMs;
            const row = await this.alerts.update(
              tx,
              current!.id,
              write(decision.severity, decision.threshold),
              decision.firing,
              reopen,
              changed || reminder,
            );
            if (changed) {
              this.logger.warn(`alert ${row.id} ${escalated ? 'escalated' : 'de-escalated'} to ${row.severity}: ${row.summary}`);
              notices.push(this.noticeOf('severity_changed', row, rule));
            } else if (reminder) {
              this.logger.warn(`alert ${row.id} still critical and unacknowledged: ${row.summary}`);
              notices.push(this.noticeOf('reminder', row, rule));
            }
            return { notices };
          }
          case 'resolve': {
            const row = await this.alerts.resolve(tx, current!.id, value);
            if (row) {
              this.logger.log(`alert ${row.id} resolved (${rule.name}, value ${value === null ? '-' : fmt(value)})`);
              notices.push(this.noticeOf('resolved', row, rule));
            }
            return { notices };
          }
        }
      });
      if (result) return result.notices;
    }
    return [];
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
