import { isIP } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { errorResponse } from './error-body.js';
import { isLoopback } from './listen.js';

export interface OriginGuardOptions {
  /** The address the daemon binds (`server.host` / `--host`). */
  host: string;
  /**
   * The configured port, used when a request does not say which socket it arrived on (tests
   * with `app.request()`); otherwise the port of the socket is the one that counts. 0: unknown.
   */
  port?: number | undefined;
  /** `server.allowedHosts`: further names the `Host` header may carry (`name` or `name:port`). */
  allowedHosts?: readonly string[] | undefined;
  /** `server.allowedOrigins`: further origins (`https://console.example`) that may call the API. */
  allowedOrigins?: readonly string[] | undefined;
}

/** Health checks answer any caller: probes send what they like and learn nothing from the answer. */
const OPEN_PATHS = new Set(['/healthz', '/readyz']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * Keeps web pages the operator visits from driving the daemon (docs/running.md#security-defaults).
 *
 * - `Host` must name this daemon (its bound address, `localhost`, `127.0.0.1`, `[::1]`, an IP
 *   literal when bound to all addresses, or `server.allowedHosts`): a DNS-rebinding page reaches
 *   the daemon under the attacker's name, so its requests carry that name.
 * - A request with an `Origin` other than the daemon's own (or `server.allowedOrigins`) is
 *   refused: browsers attach `Origin` to every cross-origin fetch and form post, including the
 *   "simple" ones they send without a preflight. Clients that are not browsers send none.
 * - A body the daemon reads must be `application/json`: a form or `text/plain` post is what a
 *   page can send without a preflight, and no route of the API takes one.
 *
 * Mounted app-wide, so routes added later are covered without opting in.
 */
export function originGuard(options: OriginGuardOptions): MiddlewareHandler {
  const bindHost = normalizeHostname(options.host);
  const wildcard = WILDCARDS.has(options.host);
  const builtinNames = new Set(['localhost', '127.0.0.1', '[::1]', ...(wildcard ? [] : [bindHost])]);
  const configured = (options.allowedHosts ?? []).map((name) => name.toLowerCase());
  const allowedOrigins = new Set((options.allowedOrigins ?? []).map((origin) => origin.toLowerCase().replace(/\/+$/, '')));
  // Bound to loopback only, a request naming another port reached us through something the
  // operator did not configure: refuse. Bound to all addresses (a container with a port
  // mapping), the port in `Host` is the outside one and cannot be checked.
  const checkPort = isLoopback(options.host);

  const hostAllowed = (header: string, socketPort: number | undefined): boolean => {
    const parsed = parseHost(header);
    if (!parsed) return false;
    // `name` accepts the name on any port (a reverse proxy's), `name:port` that port only.
    if (configured.includes(header) || configured.includes(parsed.hostname)) return true;
    if (wildcard && isIP(parsed.hostname.replace(/^\[|\]$/g, '')) !== 0) return true;
    if (!builtinNames.has(parsed.hostname)) return false;
    const expectedPort = socketPort ?? (options.port || undefined);
    return !checkPort || expectedPort === undefined || parsed.port === expectedPort;
  };

  return async (c, next) => {
    if (OPEN_PATHS.has(c.req.path)) return next();

    const hostHeader = (c.req.header('host') ?? '').toLowerCase();
    const socketPort = (c.env as { incoming?: { socket?: { localPort?: number } } } | undefined)?.incoming?.socket?.localPort;
    const known = hostAllowed(hostHeader, socketPort);
    if (!known) {
      return errorResponse(
        c,
        403,
        'host_not_allowed',
        `Host "${hostHeader}" does not name this daemon; call it as ${bindHost} or localhost, or add the name to server.allowedHosts`,
      );
    }

    const origin = c.req.header('origin');
    if (origin !== undefined) {
      const normalized = origin.toLowerCase().replace(/\/+$/, '');
      const sameOrigin = normalized === `http://${hostHeader}` || normalized === `https://${hostHeader}`;
      if (allowedOrigins.has(normalized)) {
        c.header('Access-Control-Allow-Origin', origin);
        c.header('Vary', 'Origin');
        if (c.req.method === 'OPTIONS') {
          c.header('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
          c.header('Access-Control-Allow-Headers', 'Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID');
          c.header('Access-Control-Max-Age', '600');
          return c.body(null, 204);
        }
      } else if (!sameOrigin) {
        return errorResponse(
          c,
          403,
          'origin_not_allowed',
          `requests from web pages at ${origin} are refused; add the origin to server.allowedOrigins if it is yours`,
        );
      }
    }

    if (!SAFE_METHODS.has(c.req.method) && c.req.method !== 'DELETE') {
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') {
        return errorResponse(
          c,
          415,
          'unsupported_media_type',
          `the request body must be sent with Content-Type: application/json${type ? ` (got ${type})` : ''}`,
        );
      }
    }
    return next();
  };
}

function normalizeHostname(host: string): string {
  const lower = host.toLowerCase();
  return isIP(lower) === 6 ? `[${lower}]` : lower;
}

/** `name`, `name:port`, `[v6]` or `[v6]:port`; undefined when it is none of those. */
function parseHost(header: string): { hostname: string; port: number | undefined } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/.exec(header);
  if (!match) return undefined;
  return { hostname: match[1]!, port: match[2] === undefined ? 80 : Number(match[2]) };
}
