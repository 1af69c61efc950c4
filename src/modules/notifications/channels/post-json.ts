import { SERVICE_NAME, SERVICE_VERSION } from '../../../version';
import { DeliveryError, SendResult } from '../notification-channel';

const RESPONSE_EXCERPT = 200;

function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** The reason a request never got an answer, without the URL (undici's `fetch failed` hides it in `cause`). */
function describeNetworkError(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.message ?? e.cause?.code;
  return cause ? `${e.message ?? 'request failed'}: ${cause}` : (e.message ?? String(err));
}

/**
 * One POST with Node's fetch (undici). A 2xx is a delivery; redirects are not followed (a signed alert goes to the
 * configured URL or nowhere); 408, 429 and 5xx are worth retrying, any other status is a permanent refusal.
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<SendResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': `${SERVICE_NAME}/${SERVICE_VERSION}`, ...headers },
      body,
      signal,
      redirect: 'manual',
    });
  } catch (err) {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new DeliveryError('aborted');
    throw new DeliveryError(describeNetworkError(err));
  }
  const text = (await res.text().catch(() => '')).trim();
  if (res.status >= 200 && res.status < 300) return { httpStatus: res.status, smtpResponse: null };
  const excerpt = text ? `: ${text.length > RESPONSE_EXCERPT ? `${text.slice(0, RESPONSE_EXCERPT)}…` : text}` : '';
  const transient = res.status === 408 || res.status === 429 || res.status >= 500;
  const what = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
  throw new DeliveryError(`HTTP ${res.status}${what}${excerpt}`, {
    httpStatus: res.status,
    permanent: !transient,
    retryAfterMs: retryAfterMs(res.headers.get('retry-after')),
  });
}
