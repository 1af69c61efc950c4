import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';

/** One metric family as prom-client's getMetricsAsJSON() gives it. */
export interface PublishedMetric {
  name: string;
  help: string;
  type: string;
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}

/** One process's published counters and histograms. */
export type PublishedMetrics = PublishedMetric[];

export interface PeerMetricsRow {
  worker_id: string;
  role: string;
  metrics: PublishedMetrics;
}

export interface QueueGaugeRow {
  status: 'pending' | 'failed' | 'dead_letter';
  entity_type: string;
  count: number;
  oldest_age_seconds: number;
}

// Each process publishes its counters into its own tds.workers row (one small UPDATE per heartbeat interval).
const PUBLISH = `UPDATE tds.workers SET metrics = $2::jsonb, metrics_at = now() WHERE worker_id = $1`;

// The other processes that published lately and have not stopped: their series appear under their own `process` label.
const PEERS = `
  SELECT worker_id, role, metrics FROM tds.workers
  WHERE worker_id <> $1 AND stopped_at IS NULL AND metrics IS NOT NULL
    AND metrics_at > now() - make_interval(secs => $2::float8 / 1000)
  ORDER BY worker_id`;

// Unfinished events by status and entity type (the partial indexes on pending/failed and dead_letter rows serve it).
const QUEUE_GAUGES = `
  SELECT status, entity_type, count(*)::int AS count, extract(epoch FROM now() - min(received_at))::float8 AS oldest_age_seconds
  FROM tds.events
  WHERE status IN ('pending', 'failed', 'dead_letter')
  GROUP BY status, entity_type`;

@Injectable()
export class MetricsRepository {
  constructor(private readonly db: DatabaseService) {}

  async publish(workerId: string, metrics: PublishedMetrics): Promise<void> {
    await this.db.execute(PUBLISH, [workerId, JSON.stringify(metrics)]);
  }

  peers(selfId: string, maxAgeMs: number): Promise<PeerMetricsRow[]> {
    return this.db.query<PeerMetricsRow>(PEERS, [selfId, maxAgeMs]);
  }

  queueGauges(): Promise<QueueGaugeRow[]> {
    return this.db.query<QueueGaugeRow>(QUEUE_GAUGES);
  }
}
