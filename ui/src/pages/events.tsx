import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, withQuery, type EventSummary, type Page } from '../api';
import { Link, navigate, useLocation } from '../router';
import { Badge, Card, Cell, Empty, ErrorNote, formatTime, input, Loading, primary, secondary, Table, wrapText } from '../ui';

export const ENTITY_TYPES = ['contact', 'product', 'sales_order', 'invoice', 'bill', 'credit_note', 'stock', 'price'];
const STATUSES = ['pending', 'completed', 'failed', 'dead_letter'];
const FILTERS = ['status', 'entityType', 'entityId', 'from', 'to', 'q'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/** datetime-local value (local time) → ISO 8601 for the API. */
const toIso = (v?: string) => (v ? new Date(v).toISOString() : undefined);

export function Events() {
  const { query } = useLocation();
  const filters: Filters = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? undefined]).filter(([, v]) => v));
  const cursor = query.get('cursor') ?? undefined;
  const [trail, setTrail] = useState<string[]>([]); // cursors of the pages before this one

  const list = useQuery({
    queryKey: ['recent-events', filters, cursor],
    queryFn: () =>
      api<Page<EventSummary>>(
        withQuery('dashboard/recent-events', { ...filters, from: toIso(filters.from), to: toIso(filters.to), cursor, limit: 25 }),
      ),
    refetchInterval: cursor ? false : 5_000, // the first page is live; older pages stay still
    placeholderData: keepPreviousData,
  });

  const go = (f: Filters, c?: string) => navigate(withQuery('events', { ...f, cursor: c }));
  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const next: Filters = {};
    for (const f of FILTERS) {
      const v = String(form.get(f) ?? '').trim();
      if (v) next[f] = v;
    }
    setTrail([]);
    go(next);
  };

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Events</h1>
      <Card>
        <form
          onSubmit={apply}
          className="grid grid-cols-2 gap-2 md:grid-cols-4 lg:grid-cols-7"
          key={query.toString()}
          aria-label="Event filters"
        >
          <label className="col-span-2 text-xs md:col-span-1">
            Zoho id
            <input name="entityId" inputMode="numeric" placeholder="460000000026049" defaultValue={filters.entityId} className={input} />
          </label>
          <label className="text-xs">
            Status
            <select name="status" defaultValue={filters.status ?? ''} className={input}>
              <option value="">any</option>
              {STATUSES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label className="text-xs">
            Entity
            <select name="entityType" defaultValue={filters.entityType ?? ''} className={input}>
              <option value="">any</option>
              {ENTITY_TYPES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label className="text-xs">
            From
            <input name="from" type="datetime-local" defaultValue={filters.from} className={input} />
          </label>
          <label className="text-xs">
            To
            <input name="to" type="datetime-local" defaultValue={filters.to} className={input} />
          </label>
          <label className="col-span-2 text-xs md:col-span-1">
            Error text
            <input name="q" placeholder="not a number" defaultValue={filters.q} className={input} />
          </label>
          <div className="col-span-2 flex items-end gap-2 md:col-span-1">
            <button type="submit" className={primary}>
              Search
            </button>
            <button
              type="button"
              className={secondary}
              onClick={() => {
                setTrail([]);
                go({});
              }}
            >
              Clear
            </button>
          </div>
        </form>
      </Card>
      <Card>
        <ErrorNote error={list.error} />
        {!list.data ? (
          !list.error && <Loading />
        ) : list.data.items.length === 0 ? (
          <Empty>No events match.</Empty>
        ) : (
          <EventTable events={list.data.items} />
        )}
        <div className="mt-3 flex justify-between">
          <button
            type="button"
            className={secondary}
            disabled={!cursor}
            onClick={() => {
              const prev = trail.slice(0, -1);
              setTrail(prev);
              go(filters, trail[trail.length - 1] || undefined);
            }}
          >
            Newer
          </button>
          <button
            type="button"
            className={secondary}
            disabled={!list.data?.nextCursor}
            onClick={() => {
              setTrail([...trail, cursor ?? '']);
              go(filters, list.data!.nextCursor!);
            }}
          >
            Older
          </button>
        </div>
      </Card>
    </div>
  );
}

export function EventTable({ events, extra }: { events: EventSummary[]; extra?: (e: EventSummary) => React.ReactNode }) {
  return (
    <>
      {/* Phone: one card per event; from md up: the table. */}
      <ul className="divide-y divide-slate-100 md:hidden" data-testid="events-list">
        {events.map((e) => (
          <li key={e.id} className="space-y-1 py-2 text-sm" data-event-id={e.id}>
            <div className="flex items-center gap-2">
              <Link to={`events/${e.id}`} className="font-medium text-sky-700 underline">
                #{e.id}
              </Link>
              <Badge value={e.status} />
              <span className="text-slate-600">
                {e.entityType} · {e.eventKind}
              </span>
              {extra && <span className="ml-auto">{extra(e)}</span>}
            </div>
            <div className="flex flex-wrap gap-x-3 text-xs text-slate-600">
              <span className="font-mono">{e.entityId}</span>
              <span>{formatTime(e.receivedAt)}</span>
              <span>tries {e.attempts}</span>
            </div>
            {e.lastError && (
              <p dir="auto" className="text-xs break-words text-rose-800">
                {e.lastError}
              </p>
            )}
          </li>
        ))}
      </ul>
      <div className="hidden md:block">
        <Table
          head={['Event', 'Received', 'Entity', 'Zoho id', 'Kind', 'Status', 'Tries', 'Last error', ...(extra ? [''] : [])]}
          testId="events-table"
          fit
        >
          {events.map((e) => (
            <tr key={e.id} data-event-id={e.id}>
              <Cell>
                <Link to={`events/${e.id}`} className="font-medium text-sky-700 underline">
                  #{e.id}
                </Link>
                {e.replayOf && <span className="ml-1 text-xs text-slate-500">replay of #{e.replayOf}</span>}
              </Cell>
              <Cell className="whitespace-nowrap">{formatTime(e.receivedAt)}</Cell>
              <Cell>{e.entityType}</Cell>
              <Cell mono>{e.entityId}</Cell>
              <Cell>{e.eventKind}</Cell>
              <Cell>
                <Badge value={e.status} />
              </Cell>
              <Cell className="tabular">{e.attempts}</Cell>
              <Cell className={`${wrapText} text-slate-600`}>
                {/* at most two lines here; the event's own screen shows all of it */}
                <div className="line-clamp-2" title={e.lastError ?? undefined}>
                  {e.lastError ?? ''}
                </div>
              </Cell>
              {extra && <Cell className="whitespace-nowrap">{extra(e)}</Cell>}
            </tr>
          ))}
        </Table>
      </div>
    </>
  );
}
