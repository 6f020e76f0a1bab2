import { isIP } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { KagedDaemonError } from '../errors/kaged-daemon-error.js';

/** Serves `fetch` on `hostname:port`; resolves once listening, rejects with what the operator should change. */
export function listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolveServer, reject) => {
    const server = serve({ fetch, hostname, port }, () => {
      server.off('error', onError);
      resolveServer(server);
    });
    const onError = (error: NodeJS.ErrnoException) => {
      const message =
        error.code === 'EADDRINUSE'
          ? `${hostname}:${port} is already in use: stop the other process or choose another port with --port`
          : error.code === 'EADDRNOTAVAIL'
            ? `${hostname} is not an address of this machine: check server.host or --host`
            : `cannot listen on ${hostname}:${port}: ${error.message}`;
      reject(new KagedDaemonError('listen_failed', message, { cause: error }));
    };
    server.once('error', onError);
  });
}

/** Only this machine can reach `host`: the one case where the API may run without a token. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}
