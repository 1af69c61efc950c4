import { connect } from 'node:net';

/**
 * Sends exact request bytes over a fresh TCP connection to 127.0.0.1 (for what an HTTP client refuses to send:
 * CR/LF in header values, smuggling headers, lying Content-Length, chunked bodies) and reads the first response.
 */
export interface RawResponse {
  status: number;
  head: string;
  body: string;
  /** true when the server closed or answered; false on timeout with no answer. */
  answered: boolean;
}

export function rawRequest(
  port: number,
  bytes: Buffer | string,
  timeoutMs = 5000,
  afterMs?: { delayMs: number; more: Buffer | string },
): Promise<RawResponse> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const sock = connect(port, '127.0.0.1');
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      resolve({
        status: m ? Number(m[1]) : 0,
        head: split >= 0 ? text.slice(0, split) : text,
        body: split >= 0 ? text.slice(split + 4) : '',
        answered: text.length > 0,
      });
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      // A complete response with Content-Length: stop reading (the server may keep the connection open).
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const len = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, split));
      if (split >= 0 && len && text.length - split - 4 >= Number(len[1])) finish();
    });
    sock.on('end', finish);
    sock.on('close', finish);
    sock.on('error', finish);
    sock.write(bytes);
    if (afterMs) setTimeout(() => !done && sock.write(afterMs.more), afterMs.delayMs);
  });
}
