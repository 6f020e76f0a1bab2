import type { ReadinessCheck } from '../server/routes/health.js';
import type { McpServerStatus } from './mcp-server-runner.js';

/**
 * One `/readyz` check per MCP server, `mcp:<server>`: degraded while it is connecting or down
 * (the daemon serves turns; that server's tools answer with a tool error), never failing.
 */
export function mcpChecks(servers: readonly McpServerStatus[]): ReadinessCheck[] {
  return servers.map((server) => ({ name: `mcp:${server.name}`, ...checkOf(server) }));
}

function checkOf(server: McpServerStatus): Omit<ReadinessCheck, 'name'> {
  switch (server.state) {
    case 'up':
      return { status: 'ok', detail: `${server.transport} server up, ${server.tools} tool(s)` };
    case 'disabled':
      return { status: 'ok', detail: 'disabled in the project (enabled: false)' };
    case 'connecting':
      return { status: 'degraded', detail: `${server.transport} server connecting` };
    default:
      return {
        status: 'degraded',
        detail: `${server.transport} server down since ${server.since.toISOString()} after ${server.failures} failed attempt(s): ${server.error ?? 'stopped'}; its tools answer with an error, kaged retries`,
      };
  }
}
