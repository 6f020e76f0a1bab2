import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { BoundedLabel } from '../metrics/bounded-label.js';
import type { McpSupervisor } from './mcp-supervisor.js';

/**
 * MCP metrics, in the daemon's registry: calls by server, tool and outcome (ok, error, timeout,
 * unavailable), their duration, and whether each server is up. Server and tool names come from
 * the project and the servers; both are bounded like every label of the daemon's.
 */
export function registerMcpMetrics(registry: Registry, supervisor: McpSupervisor): void {
  const registers = [registry];
  const servers = new BoundedLabel(50);
  const tools = new BoundedLabel(500);
  const calls = new Counter({
    name: 'kaged_mcp_tool_calls_total',
    help: 'MCP tool calls by server, tool and outcome (ok, error, timeout, unavailable: the server was down).',
    labelNames: ['server', 'tool', 'outcome'],
    registers,
  });
  const duration = new Histogram({
    name: 'kaged_mcp_tool_call_duration_seconds',
    help: 'MCP tool call duration by server.',
    labelNames: ['server'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  new Gauge({
    name: 'kaged_mcp_server_up',
    help: 'Each enabled MCP server of the project: 1 while it answers, 0 while it is connecting or down.',
    labelNames: ['server'],
    registers,
    collect() {
      this.reset();
      for (const status of supervisor.status()) {
        if (status.state === 'disabled' || status.state === 'stopped') continue;
        this.set({ server: servers.of(status.name) }, status.state === 'up' ? 1 : 0);
      }
    },
  });
  supervisor.onToolCall(({ server, tool, outcome, seconds }) => {
    const s = servers.of(server);
    calls.inc({ server: s, tool: tools.of(tool), outcome });
    duration.observe({ server: s }, seconds);
  });
}
