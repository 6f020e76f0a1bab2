import type { MCPClient } from '@mastra/mcp';

/** What `@mastra/mcp` 2.0 keeps per server; private there, so reached for by name and checked. */
interface InternalClient {
  unregisterProcessHooks?: () => void;
}

/** Where `exit-hook` (a dependency of `@mastra/mcp`) listens once it has a hook to run. */
const EXIT_HOOK_EVENTS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'beforeExit', 'exit'] as const;
const EXIT_HOOK_LISTENER = /^bound exit\d*$/;

/**
 * Takes off the process hooks Mastra's MCP client installs at every connect: a SIGTERM and
 * SIGHUP handler that calls `exit-hook`'s `gracefulExit()`, and an exit hook, which makes
 * `exit-hook` listen to SIGTERM, SIGINT and beforeExit for good. Left on, a SIGTERM ends the
 * process with 143 as soon as the MCP clients have disconnected, cutting the daemon's own
 * shutdown short (running turns, the last spans, the stores). The daemon stops its MCP servers
 * itself (`McpSupervisor.close()`), so nothing is lost.
 *
 * `exit-hook` 5 registers its listeners once per process, as `exit.bind(…)`: they are found by
 * that name (`exit2` and so on in the CLI bundle, where esbuild numbers names that collide in
 * its one scope). test/mcp-shutdown.test.ts fails if a new version installs them differently.
 */
export function releaseProcessHooks(client: MCPClient | undefined): void {
  const internals = (client as unknown as { mcpClientsById?: Map<string, InternalClient> } | undefined)?.mcpClientsById;
  if (internals instanceof Map) for (const internal of internals.values()) internal.unregisterProcessHooks?.();
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of process.listeners(event as 'SIGTERM')) {
      if (EXIT_HOOK_LISTENER.test(listener.name)) process.removeListener(event, listener);
    }
  }
}

/**
 * Runs `operation`, which may connect (or reconnect) `client()`, keeping its process hooks off
 * while it runs: Mastra installs them when a connection starts, not when it is made, and a
 * SIGTERM can come at any time. The check is a scan of a few listener lists every 20 ms.
 */
export async function withoutProcessHooks<T>(client: () => MCPClient | undefined, operation: () => Promise<T>): Promise<T> {
  const release = () => releaseProcessHooks(client());
  const timer = setInterval(release, 20);
  timer.unref();
  try {
    return await operation();
  } finally {
    clearInterval(timer);
    release();
  }
}
