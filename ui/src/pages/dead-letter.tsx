import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, withQuery, type BulkRetryResult, type ErrorGroup, type EventSummary, type Page } from '../api';
import { Badge, Card, Cell, Empty, ErrorNote, formatTime, input, Loading, primary, secondary, danger, Table, wrapText } from '../ui';
import { ENTITY_TYPES, EventTable } from './events';

/** Dead letters grouped by error fingerprint; one group opens its events; retry one or bulk (dry run first). */
export function DeadLetter() {
  const client = useQueryClient();
  const [entityType, setEntityType] = useState('');
  const [fingerprint, setFingerprint] = useState<string | null>(null);
  const [preview, setPreview] = useState<{ filter: Record<string, string>; result: BulkRetryResult } | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const groups = useQuery({
    queryKey: ['dead-letter-groups', entityType],
    queryFn: () => api<{ groups: ErrorGroup[] }>(withQuery('dashboard/dead-letter', { groupBy: 'error', entityType, limit: 100 })),
    refetchInterval: 10_000,
  });
  const events = useQuery({
    queryKey: ['dead-letter', entityType, fingerprint],
    queryFn: () => api<Page<EventSummary>>(withQuery('dashboard/dead-letter', { entityType, fingerprint, limit: 50 })),
    refetchInterval: 10_000,
  });
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ['dead-letter'] });
    void client.invalidateQueries({ queryKey: ['dead-letter-groups'] });
    void client.invalidateQueries({ queryKey: ['queue-stats'] });
  };

  const retryOne = useMutation({
    mutationFn: (id: string) => api<{ eventId: string }>(`dashboard/dead-letter/${id}/retry`, { method: 'POST' }),
    onSuccess: (r) => {
      setDone(`Event #${r.eventId} queued again.`);
      refresh();
    },
  });
  const bulk = useMutation({
    mutationFn: (v: { filter: Record<string, string>; dryRun: boolean }) =>
      api<BulkRetryResult>('dashboard/dead-letter/retry', { method: 'POST', body: { ...v.filter, dryRun: v.dryRun } }),
    onSuccess: (result, v) => {
      if (v.dryRun) setPreview({ filter: v.filter, result });
      else {
        setPreview(null);
        setDone(`Retried ${result.retried} of ${result.matched} dead letters.`);
        refresh();
      }
    },
  });
  const filterNow = (): Record<string, string> => ({
    ...(entityType ? { entityType } : {}),
    ...(fingerprint ? { fingerprint } : {}),
  });
  const selected = groups.data?.groups.find((g) => g.fingerprint === fingerprint);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <h1 className="text-xl font-semibold">Dead letter</h1>
        <label className="text-xs">
          Entity
          <select
            value={entityType}
            onChange={(e) => {
              setEntityType(e.target.value);
              setFingerprint(null);
              setPreview(null);
            }}
            className={input}
          >
            <option value="">any</option>
            {ENTITY_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
      </div>
      {done && (
        <p role="status" className="rounded border border-emerald-200 bg-emerald-50 p-2 text-sm text-emerald-800">
          {done}
        </p>
      )}
      <ErrorNote error={retryOne.error ?? bulk.error} />
      <Card title="By error">
        <ErrorNote error={groups.error} />
        {!groups.data ? (
          !groups.error && <Loading />
        ) : groups.data.groups.length === 0 ? (
          <Empty>No dead letters.</Empty>
        ) : (
          <Table head={['Count', 'Error', 'Entities', 'Codes', 'First seen', 'Last seen', '']} testId="error-groups" fit>
            {groups.data.groups.map((g) => (
              <tr key={g.fingerprint} className={g.fingerprint === fingerprint ? 'bg-sky-50' : ''}>
                <Cell className="tabular font-semibold">{g.count}</Cell>
                <Cell className={wrapText}>{g.pattern}</Cell>
                <Cell>{g.entityTypes.join(', ')}</Cell>
                <Cell mono>{g.errorCodes.join(', ')}</Cell>
                <Cell className="whitespace-nowrap">{formatTime(g.firstSeen)}</Cell>
                <Cell className="whitespace-nowrap">{formatTime(g.lastSeen)}</Cell>
                <Cell className="whitespace-nowrap">
                  <button
                    type="button"
                    className={secondary}
                    onClick={() => {
                      setFingerprint(g.fingerprint === fingerprint ? null : g.fingerprint);
                      setPreview(null);
                    }}
                  >
                    {g.fingerprint === fingerprint ? 'Show all' : 'Show'}
                  </button>
                </Cell>
              </tr>
            ))}
          </Table>
        )}
      </Card>
      <Card
        title={selected ? `Dead letters: ${selected.pattern}` : 'Dead letters'}
        actions={
          <button
            type="button"
            className={secondary}
            disabled={bulk.isPending}
            onClick={() => bulk.mutate({ filter: filterNow(), dryRun: true })}
          >
            Retry all shown… (preview)
          </button>
        }
      >
        {preview && (
          <div className="mb-3 rounded border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="bulk-preview">
            <p>
              Dry run: <strong>{preview.result.retried}</strong> of <strong>{preview.result.matched}</strong> matching dead letters would go
              back to pending{preview.result.retried < preview.result.matched ? ' (oldest first; run again for the rest)' : ''}.
            </p>
            {preview.result.eventIds.length > 0 && (
              <p className="mt-1 font-mono text-xs break-words text-slate-600">
                {preview.result.eventIds
                  .slice(0, 30)
                  .map((id) => `#${id}`)
                  .join(' ')}
                {preview.result.eventIds.length > 30 ? ' …' : ''}
              </p>
            )}
            <div className="mt-2 flex gap-2">
              <button
                type="button"
                className={danger}
                disabled={bulk.isPending || preview.result.retried === 0}
                onClick={() => bulk.mutate({ filter: preview.filter, dryRun: false })}
              >
                Confirm: retry {preview.result.retried}
              </button>
              <button type="button" className={secondary} onClick={() => setPreview(null)}>
                Cancel
              </button>
            </div>
          </div>
        )}
        <ErrorNote error={events.error} />
        {!events.data ? (
          !events.error && <Loading />
        ) : events.data.items.length === 0 ? (
          <Empty>No dead letters{selected ? ' in this group' : ''}.</Empty>
        ) : (
          <EventTable
            events={events.data.items}
            extra={(e) =>
              e.status === 'dead_letter' ? (
                <button type="button" className={primary} disabled={retryOne.isPending} onClick={() => retryOne.mutate(e.id)}>
                  Retry
                </button>
              ) : (
                <Badge value={e.status} />
              )
            }
          />
        )}
        {events.data?.nextCursor && <p className="mt-2 text-xs text-slate-500">Showing the newest 50; filter by group to see the rest.</p>}
      </Card>
    </div>
  );
}
