import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, withQuery, type AuditEntry, type Page } from '../api';
import { Badge, Card, Cell, Empty, ErrorNote, formatTime, input, Loading, secondary, Table, wrapText } from '../ui';

/** The audit log of admin actions, newest first, with cursor pagination. */
export function Audit() {
  const [action, setAction] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const page = useQuery({
    queryKey: ['audit', action, cursor],
    queryFn: () => api<Page<AuditEntry>>(withQuery('dashboard/audit', { action, cursor, limit: 50 })),
    refetchInterval: cursor ? false : 10_000,
    placeholderData: keepPreviousData,
  });
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <h1 className="text-xl font-semibold">Audit log</h1>
        <label className="text-xs">
          Action
          <input
            className={input}
            list="audit-actions"
            placeholder="e.g. event.replay"
            value={action}
            onChange={(e) => {
              setAction(e.target.value.trim());
              setCursors([]);
            }}
          />
          <datalist id="audit-actions">
            {['dead-letter.retry', 'dead-letter.bulk-retry', 'event.replay', 'alert.acknowledge', 'notification.test'].map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
      </div>
      <Card>
        <ErrorNote error={page.error} />
        {!page.data ? (
          !page.error && <Loading />
        ) : page.data.items.length === 0 ? (
          <Empty>No admin actions recorded.</Empty>
        ) : (
          <>
            {/* Phone: one card per action (the table's Result and Detail columns fell outside a phone's width); from
                md up: the table. */}
            <ul className="divide-y divide-slate-100 md:hidden" data-testid="audit-list">
              {page.data.items.map((a) => (
                <li key={a.id} className="space-y-1 py-2 text-sm">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-mono">{a.action}</span>
                    <Badge value={a.result} />
                    <span className="text-xs text-slate-500">{a.statusCode}</span>
                  </div>
                  <div className="flex flex-wrap gap-x-3 text-xs text-slate-600">
                    <span>{formatTime(a.at)}</span>
                    <span>key {a.keyName}</span>
                    {a.target && <span className="font-mono break-all">{a.target}</span>}
                    {a.clientIp && <span className="font-mono">{a.clientIp}</span>}
                  </div>
                  {a.detail && (
                    <p dir="auto" className="text-xs break-words text-slate-700">
                      {a.detail}
                    </p>
                  )}
                </li>
              ))}
            </ul>
            <div className="hidden md:block">
              <Table head={['When', 'Key', 'Action', 'Target', 'Result', 'Detail', 'Client IP']} testId="audit-table" fit>
                {page.data.items.map((a) => (
                  <tr key={a.id}>
                    <Cell className="whitespace-nowrap">{formatTime(a.at)}</Cell>
                    <Cell>{a.keyName}</Cell>
                    <Cell mono className="whitespace-nowrap">
                      {a.action}
                    </Cell>
                    <Cell mono className="min-w-32 break-all">
                      {a.target ?? ''}
                    </Cell>
                    <Cell className="whitespace-nowrap">
                      <Badge value={a.result} /> <span className="text-xs text-slate-500">{a.statusCode}</span>
                    </Cell>
                    <Cell className={wrapText}>{a.detail ?? ''}</Cell>
                    <Cell mono className="whitespace-nowrap">
                      {a.clientIp ?? ''}
                    </Cell>
                  </tr>
                ))}
              </Table>
            </div>
          </>
        )}
        <div className="mt-3 flex justify-between">
          <button type="button" className={secondary} disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer
          </button>
          <button
            type="button"
            className={secondary}
            disabled={!page.data?.nextCursor}
            onClick={() => setCursors([...cursors, page.data!.nextCursor!])}
          >
            Older
          </button>
        </div>
      </Card>
    </div>
  );
}
