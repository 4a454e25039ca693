import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on a loopback port in front of another address (PostgreSQL), which a test can cut
 * and restore: what a database restart, a failover or a network partition looks like to the
 * service, with real sockets on both sides.
 */
export interface TcpProxy {
  readonly port: number;
  /** Connections the proxy passed through since it started (each client socket counts once). */
  readonly accepted: number;
  /**
   * The database goes away: every live connection is destroyed (the client reads ECONNRESET or
   * "Connection terminated unexpectedly") and the port stops listening, so new connections are
   * refused (ECONNREFUSED), as with a stopped server.
   */
  cut(): Promise<void>;
  /** The database is back on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const live = new Set<Socket>();
  let accepted = 0;
  let server: Server | undefined;
  let port = 0;

  const listen = async (): Promise<void> => {
    const next = createServer((client) => {
      accepted++;
      const upstream = createConnection({ host: targetHost, port: targetPort });
      live.add(client);
      live.add(upstream);
      const end = () => {
        client.destroy();
        upstream.destroy();
        live.delete(client);
        live.delete(upstream);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        next.off('error', reject);
        resolve();
      });
    });
    const address = next.address();
    if (address === null || typeof address === 'string') throw new Error('proxy did not bind a port');
    port = address.port;
    server = next;
  };

  const stopListening = async (): Promise<void> => {
    const current = server;
    server = undefined;
    for (const socket of live) socket.destroy();
    live.clear();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get accepted() {
      return accepted;
    },
    cut: stopListening,
    restore: listen,
    close: stopListening,
  };
}
