import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, type Alert, type Health, type QueueBreakdown } from '../api';
import { Link } from '../router';
import { Badge, Card, Empty, ErrorNote, Figure, formatAge, Loading } from '../ui';

const POLL_MS = 5_000;
const MAX_SAMPLES = 720; // an hour at one sample per 5 s

interface Sample {
  t: string;
  pending: number;
  failed: number;
  deadLetter: number;
}

export function Overview() {
  const stats = useQuery({
    queryKey: ['queue-stats'],
    queryFn: () => api<QueueBreakdown>('dashboard/queue-stats'),
    refetchInterval: POLL_MS,
  });
  const health = useQuery({ queryKey: ['health'], queryFn: () => api<Health>('health'), refetchInterval: 10_000 });
  const alerts = useQuery({
    queryKey: ['alerts', 'open'],
    queryFn: () => api<{ alerts: Alert[] }>('dashboard/alerts?status=open&limit=20'),
    refetchInterval: 10_000,
  });

  // Queue depth over time, sampled from the polled figures while this screen is open.
  const [samples, setSamples] = useState<Sample[]>([]);
  useEffect(() => {
    const d = stats.data;
    if (!d) return;
    const t = new Date(stats.dataUpdatedAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    setSamples((s) =>
      [...s, { t, pending: d.totals.pending.count, failed: d.totals.failed.count, deadLetter: d.totals.deadLetter.count }].slice(
        -MAX_SAMPLES,
      ),
    );
  }, [stats.data, stats.dataUpdatedAt]);

  const d = stats.data;
  const history = (d?.series ?? []).map((p) => ({
    t: new Date(p.takenAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }),
    throughput: p.throughputPerMinute === null ? null : Math.round(p.throughputPerMinute),
    failure: p.failureRate === null ? null : Math.round(p.failureRate * 1000) / 10,
  }));
  const completed24h = d?.byEntityType.reduce((n, r) => n + r.completedLast24h, 0) ?? 0;
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Overview</h1>
      <ErrorNote error={stats.error} />
      {!d ? (
        <Loading />
      ) : (
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 xl:grid-cols-6" data-testid="queue-figures">
          <Figure
            testId="figure-pending"
            label="Pending"
            value={d.totals.pending.count}
            hint={`oldest ${formatAge(d.totals.pending.oldestAgeSeconds)}`}
          />
          <Figure testId="figure-processing" label="Processing" value={d.totals.processing.count} />
          <Figure
            testId="figure-failed"
            label="Failed (retrying)"
            value={d.totals.failed.count}
            tone={d.totals.failed.count ? 'text-amber-600' : undefined}
          />
          <Figure
            testId="figure-dead-letter"
            label="Dead letter"
            value={<Link to="dead-letter">{d.totals.deadLetter.count}</Link>}
            tone={d.totals.deadLetter.count ? 'text-rose-600' : undefined}
          />
          <Figure testId="figure-completed" label="Completed (24 h)" value={completed24h} hint="received in the last 24 h" />
          <Figure
            testId="figure-oldest-waiting"
            label="Oldest waiting"
            value={formatAge(d.oldestPending?.ageSeconds)}
            hint="pending, processing or failed"
          />
        </div>
      )}

      <div className="grid gap-4 lg:grid-cols-3">
        <Card title="Health" className="lg:col-span-1">
          <ErrorNote error={health.error} />
          {/* No answer: the last list ("Service ok") would be stale, and wrong. */}
          {health.error ? null : health.data ? <HealthList health={health.data} /> : <Loading />}
        </Card>
        <Card
          title="Open alerts"
          className="lg:col-span-2"
          actions={
            <Link to="alerts" className="text-sm underline">
              All alerts
            </Link>
          }
        >
          <ErrorNote error={alerts.error} />
          {alerts.data &&
            (alerts.data.alerts.length === 0 ? (
              <Empty>No open alerts.</Empty>
            ) : (
              <ul className="divide-y divide-slate-100" data-testid="open-alerts">
                {alerts.data.alerts.map((a) => (
                  <li key={a.id} className="flex items-start gap-2 py-2 text-sm">
                    <Badge value={a.severity} />
                    <span dir="auto" className="min-w-0 flex-1">
                      <span className="font-medium">{a.title}</span> <span className="text-slate-600">{a.summary}</span>
                    </span>
                  </li>
                ))}
              </ul>
            ))}
        </Card>
      </div>

      <div className="grid gap-4 lg:grid-cols-2 xl:grid-cols-3">
        <Card title="Queue depth (live, since this screen opened)">
          {samples.length < 2 ? (
            <Empty>Collecting samples every {POLL_MS / 1000} s…</Empty>
          ) : (
            <div className="h-56">
              <ResponsiveContainer width="100%" height="100%">
                <LineChart data={samples} margin={{ left: -20, right: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                  <XAxis dataKey="t" fontSize={11} minTickGap={40} />
                  <YAxis fontSize={11} allowDecimals={false} />
                  <Tooltip />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  <Line type="monotone" dataKey="pending" stroke="#0284c7" dot={false} isAnimationActive={false} />
                  <Line type="monotone" dataKey="failed" stroke="#d97706" dot={false} isAnimationActive={false} />
                  <Line type="monotone" dataKey="deadLetter" name="dead letter" stroke="#e11d48" dot={false} isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            </div>
          )}
        </Card>
        <Card title="Throughput and failure rate (last 24 h, monitoring snapshots)">
          {history.length < 2 ? (
            <Empty>The monitoring job stores a snapshot every few minutes; the chart starts with the second one.</Empty>
          ) : (
            <div className="h-56" data-testid="history-chart">
              <ResponsiveContainer width="100%" height="100%">
                <LineChart data={history} margin={{ left: -20, right: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                  <XAxis dataKey="t" fontSize={11} minTickGap={40} />
                  <YAxis yAxisId="rate" fontSize={11} allowDecimals={false} />
                  <YAxis yAxisId="pct" orientation="right" fontSize={11} unit="%" />
                  <Tooltip />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  <Line
                    yAxisId="rate"
                    type="monotone"
                    dataKey="throughput"
                    name="applied/min"
                    stroke="#0284c7"
                    dot={false}
                    isAnimationActive={false}
                  />
                  <Line
                    yAxisId="pct"
                    type="monotone"
                    dataKey="failure"
                    name="failed attempts %"
                    stroke="#e11d48"
                    dot={false}
                    isAnimationActive={false}
                  />
                </LineChart>
              </ResponsiveContainer>
            </div>
          )}
        </Card>
        <Card title="By entity type">
          {d && d.byEntityType.length === 0 && <Empty>No events yet.</Empty>}
          {d && d.byEntityType.length > 0 && (
            <div className="h-64">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={d.byEntityType} margin={{ left: -20, right: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                  {/* every entity type labelled (interval 0), slanted so eight fit a third of the screen */}
                  <XAxis dataKey="entityType" fontSize={11} interval={0} angle={-35} textAnchor="end" height={58} />
                  <YAxis fontSize={11} allowDecimals={false} />
                  <Tooltip />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  <Bar dataKey="completedLast24h" name="completed 24 h" fill="#10b981" isAnimationActive={false} />
                  <Bar dataKey="pending" stackId="q" fill="#0284c7" isAnimationActive={false} />
                  <Bar dataKey="failed" stackId="q" fill="#d97706" isAnimationActive={false} />
                  <Bar dataKey="deadLetter" name="dead letter" stackId="q" fill="#e11d48" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </div>
          )}
        </Card>
        <Card title="Tries per event (last 24 h)">
          {d && d.retryHistogram.length === 0 && <Empty>No events in the last 24 hours.</Empty>}
          {d && d.retryHistogram.length > 0 && (
            <div className="h-48">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={d.retryHistogram} margin={{ left: -20, right: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                  <XAxis dataKey="attempts" fontSize={11} tickFormatter={tries} />
                  <YAxis fontSize={11} allowDecimals={false} />
                  <Tooltip labelFormatter={(a) => `${tries(a)} (until applied or dead-lettered)`} />
                  <Bar dataKey="count" name="events" fill="#6366f1" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </div>
          )}
        </Card>
      </div>
    </div>
  );
}

/** An x-axis tick of the tries histogram: "1 try", "3 tries" (a bare number said nothing). */
function tries(attempts: unknown): string {
  return Number(attempts) === 1 ? '1 try' : `${String(attempts)} tries`;
}

function HealthList({ health }: { health: Health }) {
  const checks = Object.entries(health.details ?? { ...health.info, ...health.error });
  return (
    <div className="space-y-2 text-sm" data-testid="health">
      <div className="flex items-center justify-between">
        <span>Service</span>
        <Badge value={health.status} />
      </div>
      {checks.map(([name, c]) => (
        <div key={name} className="flex items-center justify-between gap-2">
          <span>
            {name}
            {/* What the check says beyond up/down ("no monitoring snapshot yet", "shutting down", …). */}
            {typeof c.message === 'string' && <span className="block text-xs text-slate-500">{c.message}</span>}
          </span>
          <Badge value={c.status} />
        </div>
      ))}
    </div>
  );
}
