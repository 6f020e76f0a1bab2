import type { ConfigIssue } from '../errors/project-config-error.js';
import type { YamlFile } from '../project/yaml-file.js';
import type { McpToolReference } from './mcp-supervisor.js';
import type { McpServerSettings, McpSettings } from './mcp-settings.js';
import { parseMcpToolRef } from './tool-names.js';

/** The project's MCP part, as the daemon runs it. */
export interface ProjectMcp {
  servers: Record<string, McpServerSettings>;
  /** Every `<server>.<tool>` an agent lists, with its place in the file. */
  references: McpToolReference[];
}

/**
 * What is wrong with `name` as an entry of an agent's `tools:` (or a key of `tools:`), or
 * undefined: a built-in tool, or `<server>.<tool>` / `<server>.*` of a server in `mcp.servers`.
 */
export function toolNameProblem(name: string, builtins: readonly string[], mcp: McpSettings, { allowAll = true } = {}): string | undefined {
  if (builtins.includes(name)) return undefined;
  const ref = parseMcpToolRef(name);
  const servers = Object.keys(mcp.servers);
  if (!ref) {
    const hint = servers.length > 0 ? `; MCP tools are "<server>.<tool>" or "<server>.*" (servers: ${servers.join(', ')})` : '';
    return `unknown tool "${name}" (built-in tools: ${builtins.join(', ')}${hint})`;
  }
  if (!Object.hasOwn(mcp.servers, ref.server)) {
    return `unknown MCP server "${ref.server}" in "${name}" (mcp.servers: ${servers.join(', ') || 'none'})`;
  }
  if (ref.tool === '*' && !allowAll) return `"${name}" names every tool of a server; name one tool here`;
  return undefined;
}

/** The MCP part of the project, with each tool reference positioned for the warnings the supervisor gives later. */
export function projectMcp(mcp: McpSettings, agents: Readonly<Record<string, { tools: readonly string[] }>>, yaml: YamlFile): ProjectMcp {
  const references: McpToolReference[] = [];
  for (const [agentId, agent] of Object.entries(agents)) {
    agent.tools.forEach((name, index) => {
      const ref = parseMcpToolRef(name);
      if (!ref) return;
      const issue: ConfigIssue = yaml.issueAt(['agents', agentId, 'tools', index], '');
      references.push({ ...ref, agentId, at: `${issue.file}:${issue.line}:${issue.column} ${issue.path}` });
    });
  }
  return { servers: mcp.servers, references };
}

/** Env and header values of the MCP servers: the logger censors them like API keys. */
export function mcpSecrets(mcp: ProjectMcp | undefined): string[] {
  if (!mcp) return [];
  return Object.values(mcp.servers).flatMap((server) => [...Object.values(server.env), ...Object.values(server.headers)]);
}
