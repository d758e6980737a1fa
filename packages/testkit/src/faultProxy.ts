import { connect, createServer, type Socket } from 'node:net';

export interface FaultProxy {
  /** host:port to use instead of the target. */
  address: string;
  port: number;
  /** Drops every open connection and refuses new ones (an API outage). */
  cut(): void;
  restore(): void;
  stop(): Promise<void>;
}

/**
 * A TCP proxy in front of a real server (TLS passes through untouched) whose
 * connections can be cut and restored: a fault-injecting wrapper for tests of
 * behaviour under API errors, with the real API server behind it.
 */
export async function startFaultProxy(targetHost: string, targetPort: number): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  const server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    address: `127.0.0.1:${port}`,
    port,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      down = false;
    },
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
