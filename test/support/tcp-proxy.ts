import { createServer, Server, Socket, connect } from 'node:net';

/**
 * A loopback TCP proxy in front of PostgreSQL. cut() drops every connection and refuses new ones (what the app
 * sees when the database stops); hang() keeps every connection open but passes nothing either way (a partition, a
 * hung host: no answer, no reset); restore() lets traffic through again.
 */
export class TcpProxy {
  private sockets = new Set<Socket>();
  private pairs = new Set<[Socket, Socket]>();
  private refusing = false;
  private hanging = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly target: { host: string; port: number },
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(targetUrl: string): Promise<TcpProxy> {
    const target = new URL(targetUrl);
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const url = new URL(targetUrl);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    return new TcpProxy(server, url.toString(), { host: target.hostname, port: Number(target.port || 5432) });
  }

  private accept(client: Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    const pair: [Socket, Socket] = [client, upstream];
    this.sockets.add(client);
    this.sockets.add(upstream);
    this.pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      this.pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (this.hanging) pause(pair);
    else flow(pair);
  }

  hang(): void {
    this.hanging = true;
    for (const pair of this.pairs) pause(pair);
  }

  cut(): void {
    this.refusing = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.refusing = false;
    if (this.hanging) {
      this.hanging = false;
      for (const pair of this.pairs) flow(pair);
    }
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

function pause([client, upstream]: [Socket, Socket]): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
}

function flow([client, upstream]: [Socket, Socket]): void {
  client.pipe(upstream);
  upstream.pipe(client);
}
