import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { AppConfigService } from '../../config/app-config.service';
import { PROCESS_ID } from '../../common/process/process-identity';
import { MetricsRepository, PublishedMetric, PublishedMetrics } from './metrics.repository';
import { MonitoringService } from '../monitoring/monitoring.service';
import { ReconcileService } from '../reconcile/reconcile.service';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** How a webhook delivery ended, for tds_webhooks_received_total. */
export type WebhookOutcome = 'queued' | 'duplicate' | 'rejected';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const PROCESSING_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

const escapeLabel = (v: string | number) => String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const formatValue = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

/**
 * Prometheus metrics (prom-client). Counters and histograms live in each process and are published every heartbeat
 * interval into the process's tds.workers row; `GET /metrics` on any API process renders them for every live process
 * under a `process` label (worker-only processes serve no HTTP), beside gauges read from the database at scrape
 * time (the queue as it is now, the same whichever process answers) and the serving process's Node.js metrics.
 */
@Injectable()
export class MetricsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsService.name);
  /** This process's tds_* counters and histograms (published to the others). */
  readonly registry = new Registry();
  /** Node.js process metrics of the serving process (not published). */
  private readonly nodeRegistry = new Registry();
  private timer?: NodeJS.Timeout;
  private publishing?: Promise<void>;

  readonly webhooksReceived = new Counter({
    name: 'tds_webhooks_received_total',
    help: 'Webhook deliveries answered, by entity type and outcome (queued, duplicate, rejected)',
    labelNames: ['entity', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly webhooksRejected = new Counter({
    name: 'tds_webhooks_rejected_total',
    help: 'Webhook deliveries refused, by entity type and reason (the error code of the answer)',
    labelNames: ['entity', 'reason'] as const,
    registers: [this.registry],
  });
  readonly ingestSeconds = new Histogram({
    name: 'tds_webhook_ingest_seconds',
    help: 'Time from a webhook request to its answer (202 only after the commit), by entity type',
    labelNames: ['entity'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly eventsProcessed = new Counter({
    name: 'tds_events_processed_total',
    help: 'Event tries finished by the worker, by entity type and outcome (applied, skipped_stale, retry, dead_letter)',
    labelNames: ['entity', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly processingSeconds = new Histogram({
    name: 'tds_event_processing_seconds',
    help: 'Time from receiving an event to applying it (completed events), by entity type',
    labelNames: ['entity'] as const,
    buckets: PROCESSING_BUCKETS,
    registers: [this.registry],
  });

  constructor(
    private readonly repo: MetricsRepository,
    private readonly config: AppConfigService,
    private readonly monitoring: MonitoringService,
    private readonly reconcile: ReconcileService,
  ) {
    collectDefaultMetrics({ register: this.nodeRegistry });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.publishing) this.publishing = this.publish().finally(() => (this.publishing = undefined));
    }, this.config.queue.heartbeatIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.publishing;
  }

  /** prom-client types `type` as an enum; at run time it is the text form ('counter', 'histogram'). */
  private async ownMetrics(): Promise<PublishedMetrics> {
    return (await this.registry.getMetricsAsJSON()) as unknown as PublishedMetrics;
  }

  /** Writes this process's counters into its tds.workers row (the heartbeat has registered it). */
  async publish(): Promise<void> {
    try {
      await this.repo.publish(PROCESS_ID, await this.ownMetrics());
    } catch (err) {
      this.logger.warn(`could not publish metrics: ${(err as Error).message}`);
    }
  }

  /** The Prometheus text exposition of the whole service. */
  async render(): Promise<string> {
    // Peers count for 3 publishing intervals: one missed beat does not make a process's series flicker.
    const [own, peers, queue, node, latest, reconcile] = await Promise.all([
      this.ownMetrics(),
      this.repo.peers(PROCESS_ID, 3 * this.config.queue.heartbeatIntervalMs),
      this.repo.queueGauges(),
      this.nodeRegistry.metrics(),
      this.monitoring.latestSnapshot(),
      this.reconcile.enabled ? this.reconcile.status() : undefined,
    ]);
    const families = new Map<string, { help: string; type: string; lines: string[] }>();
    const add = (metrics: PublishedMetric[], process: string) => {
      for (const m of metrics) {
        let family = families.get(m.name);
        if (!family) families.set(m.name, (family = { help: m.help, type: m.type, lines: [] }));
        for (const v of m.values) family.lines.push(sample(v.metricName ?? m.name, { ...v.labels, process }, v.value));
      }
    };
    add(own, PROCESS_ID);
    for (const p of peers) add(p.metrics, p.worker_id);

    const gauge = (name: string, help: string, lines: string[]) => families.set(name, { help, type: 'gauge', lines });
    gauge(
      'tds_queue_events',
      'Unfinished events by status (pending, failed = awaiting a retry, dead_letter) and entity type',
      queue.map((r) => sample('tds_queue_events', { status: r.status, entity: r.entity_type }, r.count)),
    );
    const waiting = queue.filter((r) => r.status !== 'dead_letter');
    gauge('tds_queue_oldest_pending_age_seconds', 'Age of the oldest event waiting to be applied (0 when none)', [
      sample('tds_queue_oldest_pending_age_seconds', {}, Math.max(0, ...waiting.map((r) => r.oldest_age_seconds))),
    ]);
    gauge('tds_queue_backlog_events', 'Events waiting to be applied (pending + failed awaiting a retry)', [
      sample(
        'tds_queue_backlog_events',
        {},
        waiting.reduce((n, r) => n + r.count, 0),
      ),
    ]);
    gauge('tds_dead_letter_events', 'Events in the dead-letter queue', [
      sample(
        'tds_dead_letter_events',
        {},
        queue.filter((r) => r.status === 'dead_letter').reduce((n, r) => n + r.count, 0),
      ),
    ]);
    gauge('tds_processes_publishing', 'Processes whose metrics this answer includes', [
      sample('tds_processes_publishing', {}, 1 + peers.length),
    ]);

    // From the newest monitoring snapshot (every TDS_MONITORING_CRON): freshness per entity type and open alerts.
    if (latest) {
      const { snapshot, takenAt } = latest;
      const seconds = (iso: string | null) => (iso ? Date.parse(iso) / 1000 : NaN);
      const freshness = Object.entries(snapshot.queue?.freshness ?? {});
      gauge(
        'tds_entity_last_applied_timestamp_seconds',
        'When an event of this entity type was last applied (unix time; from the newest monitoring snapshot)',
        freshness
          .filter(([, f]) => f.lastAppliedAt)
          .map(([e, f]) => sample('tds_entity_last_applied_timestamp_seconds', { entity: e }, seconds(f.lastAppliedAt))),
      );
      gauge(
        'tds_entity_newest_zoho_modified_timestamp_seconds',
        'The newest Zoho last_modified_time applied for this entity type (unix time; from the newest monitoring snapshot)',
        freshness
          .filter(([, f]) => f.newestZohoModifiedAt)
          .map(([e, f]) => sample('tds_entity_newest_zoho_modified_timestamp_seconds', { entity: e }, seconds(f.newestZohoModifiedAt))),
      );
      const open = snapshot.alerts?.open ?? { info: 0, warning: 0, critical: 0 };
      gauge(
        'tds_alerts_open',
        'Unresolved alerts by severity (from the newest monitoring snapshot)',
        (['info', 'warning', 'critical'] as const).map((severity) => sample('tds_alerts_open', { severity }, open[severity] ?? 0)),
      );
      gauge('tds_monitoring_snapshot_timestamp_seconds', 'When the newest monitoring snapshot was taken (unix time)', [
        sample('tds_monitoring_snapshot_timestamp_seconds', {}, takenAt.getTime() / 1000),
      ]);
    }

    // Reconciliation with the Zoho API (when configured): the shared request budget in use, the last pass per entity.
    if (reconcile) {
      gauge(
        'tds_zoho_api_requests_used',
        'Zoho API requests used in the current window, all processes together (window: minute, day)',
        (['minute', 'day'] as const).map((w) => sample('tds_zoho_api_requests_used', { window: w }, reconcile.budget[w].used)),
      );
      gauge(
        'tds_zoho_api_requests_limit',
        'The Zoho API request budget per window (ZOHO_API_MAX_REQUESTS_PER_MINUTE, ZOHO_API_DAILY_BUDGET)',
        (['minute', 'day'] as const).map((w) => sample('tds_zoho_api_requests_limit', { window: w }, reconcile.budget[w].limit)),
      );
      const passes = reconcile.entities.filter((e) => e.lastPass);
      gauge(
        'tds_reconcile_last_pass_timestamp_seconds',
        'When the last reconciliation pass of this entity type started (unix time), by its status',
        passes.map((e) =>
          sample(
            'tds_reconcile_last_pass_timestamp_seconds',
            { entity: e.entityType, status: e.lastPass!.status },
            new Date(e.lastPass!.started_at).getTime() / 1000,
          ),
        ),
      );
      gauge(
        'tds_reconcile_last_pass_missing_records',
        'Records the last pass of this entity type found missing or older in the ERP (enqueued from the Zoho API)',
        passes.map((e) => sample('tds_reconcile_last_pass_missing_records', { entity: e.entityType }, e.lastPass!.missing)),
      );
    }

    let text = '';
    for (const [name, f] of families) {
      text += `# HELP ${name} ${escapeHelp(f.help)}\n# TYPE ${name} ${f.type}\n${f.lines.join('')}`;
    }
    return text + node;
  }

  /** Records one answered webhook request (an onResponse hook on the webhook route). */
  recordWebhook(
    entity: string,
    statusCode: number,
    outcome: WebhookOutcome | undefined,
    errorCode: string | undefined,
    seconds: number,
  ): void {
    if (statusCode < 300) {
      this.webhooksReceived.inc({ entity, outcome: outcome ?? 'queued' });
      this.ingestSeconds.observe({ entity }, seconds);
    } else {
      this.webhooksReceived.inc({ entity, outcome: 'rejected' });
      this.webhooksRejected.inc({ entity, reason: (errorCode ?? `HTTP_${statusCode}`).toLowerCase() });
    }
  }

  /** Records a committed batch: one try per event, and the receive → apply time of the completed ones. */
  recordBatch(events: readonly { entityType: string; outcome: string; receivedAt?: string }[]): void {
    const now = Date.now();
    for (const e of events) {
      this.eventsProcessed.inc({ entity: e.entityType, outcome: e.outcome });
      if ((e.outcome === 'applied' || e.outcome === 'skipped_stale') && e.receivedAt) {
        const received = Date.parse(e.receivedAt);
        if (Number.isFinite(received)) this.processingSeconds.observe({ entity: e.entityType }, Math.max(0, now - received) / 1000);
      }
    }
  }
}

function sample(name: string, labels: Record<string, string | number>, value: number): string {
  const keys = Object.keys(labels);
  const body = keys.length ? `{${keys.map((k) => `${k}="${escapeLabel(labels[k])}"`).join(',')}}` : '';
  return `${name}${body} ${formatValue(value)}\n`;
}
