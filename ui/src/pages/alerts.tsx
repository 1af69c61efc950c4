import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, withQuery, type Alert } from '../api';
import { Badge, Card, Empty, ErrorNote, formatTime, input, Loading, primary, secondary } from '../ui';

const STATUSES = ['open', 'acknowledged', 'resolved', ''] as const;

export function Alerts() {
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('open');
  const alerts = useQuery({
    queryKey: ['alerts', status],
    queryFn: () => api<{ alerts: Alert[] }>(withQuery('dashboard/alerts', { status, limit: 200 })),
    refetchInterval: 10_000,
  });
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Alerts</h1>
      <div className="flex flex-wrap gap-1" role="tablist" aria-label="Alert status">
        {STATUSES.map((s) => (
          <button
            key={s || 'all'}
            type="button"
            role="tab"
            aria-selected={status === s}
            className={status === s ? primary : secondary}
            onClick={() => setStatus(s)}
          >
            {s || 'all'}
          </button>
        ))}
      </div>
      <ErrorNote error={alerts.error} />
      {!alerts.data ? (
        !alerts.error && <Loading />
      ) : alerts.data.alerts.length === 0 ? (
        <Card>
          <Empty>No {status || ''} alerts.</Empty>
        </Card>
      ) : (
        <div className="space-y-3" data-testid="alerts">
          {alerts.data.alerts.map((a) => (
            <AlertCard key={a.id} alert={a} />
          ))}
        </div>
      )}
    </div>
  );
}

function AlertCard({ alert: a }: { alert: Alert }) {
  const client = useQueryClient();
  const [note, setNote] = useState('');
  const [open, setOpen] = useState(false);
  const ack = useMutation({
    mutationFn: () =>
      api<Alert>(`dashboard/alerts/${a.id}/acknowledge`, { method: 'POST', body: note.trim() ? { note: note.trim() } : {} }),
    onSuccess: () => {
      setOpen(false);
      void client.invalidateQueries({ queryKey: ['alerts'] });
    },
  });
  return (
    <Card>
      <div className="space-y-2" data-alert-id={a.id}>
        <div className="flex flex-wrap items-center gap-2">
          <Badge value={a.severity} />
          <Badge value={a.status} />
          <h3 dir="auto" className="font-semibold">
            {a.title}
          </h3>
          <span className="text-xs text-slate-500">
            #{a.id} · {a.rule} · seen {a.occurrences}×
          </span>
        </div>
        <p dir="auto" className="text-sm">
          {a.summary}
        </p>
        {a.action && (
          <p dir="auto" className="text-sm text-slate-600">
            <span className="font-medium">What to do: </span>
            {a.action}
          </p>
        )}
        <p className="text-xs text-slate-500">
          opened {formatTime(a.openedAt)} · last seen {formatTime(a.lastSeenAt)}
          {a.resolvedAt && ` · resolved ${formatTime(a.resolvedAt)}`}
        </p>
        {a.acknowledgedAt && (
          <p dir="auto" className="text-sm text-amber-800" data-testid="acknowledged">
            {/* acknowledgedBy is the admin key's name ("ops", or "generated" for the key the start generated): say it is a key */}
            Acknowledged at {formatTime(a.acknowledgedAt)}
            {a.acknowledgedBy && ` (key “${a.acknowledgedBy}”)`}
            {a.acknowledgeNote && `: “${a.acknowledgeNote}”`}
          </p>
        )}
        <ErrorNote error={ack.error} />
        {a.status === 'open' &&
          (open ? (
            <form
              className="flex flex-col gap-2 sm:flex-row"
              onSubmit={(e) => {
                e.preventDefault();
                ack.mutate();
              }}
            >
              <input
                aria-label="Note"
                placeholder="Note (what is being done)"
                maxLength={1000}
                value={note}
                onChange={(e) => setNote(e.target.value)}
                className={input}
                dir="auto"
              />
              <button type="submit" className={primary} disabled={ack.isPending}>
                Acknowledge
              </button>
              <button type="button" className={secondary} onClick={() => setOpen(false)}>
                Cancel
              </button>
            </form>
          ) : (
            <button type="button" className={secondary} onClick={() => setOpen(true)}>
              Acknowledge…
            </button>
          ))}
      </div>
    </Card>
  );
}
