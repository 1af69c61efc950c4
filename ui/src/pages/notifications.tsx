import { useMutation } from '@tanstack/react-query';
import { api, type NotificationTestResponse } from '../api';
import { Badge, Card, Cell, ErrorNote, primary, Table } from '../ui';

/** Sends a test notice through every configured channel and shows each target's first attempt. */
export function Notifications() {
  const test = useMutation({
    mutationFn: () => api<NotificationTestResponse>('dashboard/notifications/test', { method: 'POST' }),
  });
  const r = test.data;
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Notifications</h1>
      <Card title="Test the channels">
        <p className="mb-3 text-sm text-slate-600">
          Sends a test message through every enabled channel (ALERT_EMAIL_ENABLED, ALERT_SLACK_ENABLED, ALERT_WEBHOOK_ENABLED) and shows
          what each receiver answered. Targets are shown with their secrets masked.
        </p>
        <button type="button" className={primary} disabled={test.isPending} onClick={() => test.mutate()}>
          {test.isPending ? 'Sending…' : 'Send a test notification'}
        </button>
        <div className="mt-3">
          <ErrorNote error={test.error} />
        </div>
        {r && (
          <div className="mt-3 space-y-2" data-testid="notification-results">
            <p className={`text-sm font-medium ${r.allDelivered ? 'text-emerald-700' : 'text-rose-700'}`}>{r.message}</p>
            <Table head={['Channel', 'Target', 'Outcome', 'Answer', 'Time', 'Error']}>
              {r.results.map((x, i) => (
                <tr key={i}>
                  <Cell>{x.channel}</Cell>
                  <Cell mono className="max-w-xs break-all">
                    {x.target}
                  </Cell>
                  <Cell>
                    <Badge value={x.outcome} />
                  </Cell>
                  <Cell mono>{x.httpStatus ?? x.smtpResponse ?? '—'}</Cell>
                  <Cell className="tabular">{x.durationMs} ms</Cell>
                  <Cell className="max-w-xs break-words text-rose-700">{x.error ?? ''}</Cell>
                </tr>
              ))}
            </Table>
          </div>
        )}
      </Card>
    </div>
  );
}
