import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type EventDetail } from '../api';
import { Link, navigate } from '../router';
import { Badge, Card, Cell, Empty, ErrorNote, formatTime, Loading, primary, secondary, Table, wrapText } from '../ui';

/** The record's display name, when its payload has one (contact_name, name, customer_name, …). */
function recordName(payload: Record<string, unknown> | null): string | null {
  if (!payload) return null;
  for (const k of ['contact_name', 'customer_name', 'vendor_name', 'name', 'item_name', 'company_name']) {
    const v = payload[k];
    if (typeof v === 'string' && v) return v;
  }
  return null;
}

export function EventDetailPage({ id }: { id: string }) {
  const client = useQueryClient();
  const ev = useQuery({
    queryKey: ['event', id],
    queryFn: () => api<EventDetail>(`dashboard/events/${id}`),
    refetchInterval: (q) => (q.state.data && ['completed', 'dead_letter'].includes(q.state.data.status) ? 15_000 : 3_000),
  });
  const replay = useMutation({
    mutationFn: () => api<{ eventId: string }>(`dashboard/events/${id}/replay`, { method: 'POST' }),
    onSuccess: (r) => {
      void client.invalidateQueries({ queryKey: ['recent-events'] });
      navigate(`events/${r.eventId}`);
    },
  });
  const retry = useMutation({
    mutationFn: () => api<{ status: string }>(`dashboard/dead-letter/${id}/retry`, { method: 'POST' }),
    onSuccess: () => void client.invalidateQueries(),
  });

  const e = ev.data;
  const heading = (
    <>
      <Link to="events" className="text-sm text-sky-700 underline">
        ← Events
      </Link>
      <h1 className="text-xl font-semibold">Event #{e?.id ?? id}</h1>
    </>
  );
  // Not found (a mistyped or pruned id) or any other error: the way back stays on the screen.
  if (!e)
    return (
      <div className="space-y-4">
        <div className="flex flex-wrap items-center gap-2">{heading}</div>
        {ev.error ? <ErrorNote error={ev.error} /> : <Loading />}
      </div>
    );
  const name = recordName(e.payload);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-2">
        {heading}
        <Badge value={e.status} />
        {e.outcome && <span className="text-sm text-slate-600">{e.outcome}</span>}
      </div>
      <Card
        title="Event"
        actions={
          <div className="flex gap-2">
            {(e.status === 'dead_letter' || e.status === 'failed') && (
              <button type="button" className={primary} disabled={retry.isPending || e.payload === null} onClick={() => retry.mutate()}>
                Retry
              </button>
            )}
            <button
              type="button"
              className={secondary}
              disabled={replay.isPending || e.rawBody === null}
              title={e.rawBody === null ? 'The payload was pruned by retention' : 'Queue it again as a new event'}
              onClick={() => {
                if (window.confirm(`Replay event #${e.id} as a new event?`)) replay.mutate();
              }}
            >
              Replay
            </button>
          </div>
        }
      >
        <ErrorNote error={replay.error ?? retry.error} />
        {retry.isSuccess && <p className="mb-2 text-sm text-emerald-700">Queued again: back to pending.</p>}
        <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-2 lg:grid-cols-3">
          <Field label="Entity">
            {e.entityType} ({e.recordType})
          </Field>
          <Field label="Zoho id">
            <span className="font-mono">{e.entityId}</span>
          </Field>
          {name && (
            <Field label="Name">
              <span dir="auto" data-testid="record-name">
                {name}
              </span>
            </Field>
          )}
          <Field label="Kind">{e.eventKind}</Field>
          <Field label="Received">{formatTime(e.receivedAt)}</Field>
          <Field label="Completed">{formatTime(e.completedAt)}</Field>
          <Field label="Tries">{e.attempts}</Field>
          <Field label="Organization">{e.organizationId ?? '—'}</Field>
          <Field label="Request id">
            <span className="font-mono text-xs break-all">{e.headers.requestId ?? '—'}</span>
          </Field>
          {e.replayOf && (
            <Field label="Replay of">
              <Link to={`events/${e.replayOf}`} className="text-sky-700 underline">
                #{e.replayOf}
              </Link>
            </Field>
          )}
          {e.outcomeDetail && <Field label="Outcome detail">{e.outcomeDetail}</Field>}
        </dl>
        {e.lastError && (
          <p dir="auto" className="mt-3 rounded border border-rose-200 bg-rose-50 p-2 text-sm break-words text-rose-900">
            {e.lastErrorCode && <span className="mr-1 font-mono text-xs">{e.lastErrorCode}</span>}
            {e.lastError}
          </p>
        )}
      </Card>
      <Card title="Attempts">
        {e.attemptLog.length === 0 ? (
          <Empty>Not tried yet.</Empty>
        ) : (
          <Table head={['#', 'Started', 'Duration', 'Outcome', 'Worker', 'Error']} testId="attempts" fit>
            {e.attemptLog.map((a) => (
              <tr key={a.attempt}>
                <Cell>{a.attempt}</Cell>
                <Cell className="whitespace-nowrap">{formatTime(a.startedAt)}</Cell>
                <Cell className="tabular">{a.durationMs === null ? '—' : `${a.durationMs} ms`}</Cell>
                <Cell>
                  <Badge value={a.outcome} />
                </Cell>
                <Cell mono>{a.workerId}</Cell>
                <Cell className={`${wrapText} text-slate-700`}>
                  {a.errorCode && <span className="mr-1 font-mono text-xs">{a.errorCode}</span>}
                  {a.error ?? ''}
                </Cell>
              </tr>
            ))}
          </Table>
        )}
      </Card>
      {/* One column below lg: grid-cols-1 is minmax(0, 1fr), so a wide JSON scrolls inside its card instead of
          widening the card (an implicit column would size to the <pre>'s longest line, wider than a phone). */}
      <div className="grid grid-cols-1 items-start gap-4 lg:grid-cols-2">
        <Card title="Payload" className="min-w-0">
          {e.payload === null ? <Empty>Pruned by retention.</Empty> : <Json value={e.payload} testId="payload" />}
        </Card>
        <Card title={e.erp ? `ERP row (${e.erp.table})` : 'ERP row'} className="min-w-0">
          {!e.erp || e.erp.row === null ? <Empty>No ERP row for this record.</Empty> : <Json value={e.erp.row} />}
        </Card>
      </div>
    </div>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500 uppercase">{label}</dt>
      <dd className="break-words">{children}</dd>
    </div>
  );
}

function Json({ value, testId }: { value: unknown; testId?: string }) {
  return (
    <pre dir="auto" data-testid={testId} className="max-h-96 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100">
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}
