import { builtinTools, type ToolSource } from '@kaged/harness';
import type { Logger } from '@kaged/observability';
import type { ToolsInput } from '@mastra/core/agent';
import type { DaemonMetrics } from '../metrics/daemon-metrics.js';
import { registerMcpMetrics } from '../mcp/mcp-metrics.js';
import { McpSupervisor } from '../mcp/mcp-supervisor.js';
import { mcpToolSource } from '../mcp/mcp-tool-source.js';
import type { Project } from '../project/project.js';

/** The tools a project's agents may list by name: kaged's built-in ones. */
export function projectTools(): ToolsInput {
  return { ...builtinTools };
}

export interface ProjectToolSet {
  /** What the harness takes tools from: built-ins plus the MCP servers' tools, snapshotted per turn. */
  readonly source: ToolSource;
  /** The project's MCP servers; `apply` after each valid project edit, `close` on shutdown. */
  readonly mcp: McpSupervisor;
}

/**
 * Built-in tools and a supervisor for the project's MCP servers, none started yet: the daemon
 * applies the project's `mcp:` section once it listens (daemon.ts). Connecting goes on in the
 * background: a daemon whose MCP server is slow or broken still starts, and `/readyz` says so.
 */
export function createProjectTools(options: { project: Project; env: NodeJS.ProcessEnv; logger: Logger; metrics?: DaemonMetrics | undefined }): ProjectToolSet {
  const { project, env, logger, metrics } = options;
  const mcp = new McpSupervisor({ projectDir: project.dir, env, logger });
  if (metrics) registerMcpMetrics(metrics.registry, mcp);
  return { source: mcpToolSource(projectTools(), mcp), mcp };
}
