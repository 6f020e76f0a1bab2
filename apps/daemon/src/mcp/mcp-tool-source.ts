import { AgentDefinitionError, type SelectedTool, type ToolSnapshot, type ToolSource } from '@kaged/harness';
import type { ToolsInput } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import type { McpServerRunner, McpTool } from './mcp-server-runner.js';
import type { McpCallOutcome, McpSupervisor } from './mcp-supervisor.js';
import { modelToolName, parseMcpToolRef } from './tool-names.js';

/** What a model reads when a call cannot reach its server: a tool error, and the turn goes on. */
export class McpToolCallError extends Error {
  readonly outcome: McpCallOutcome;
  constructor(outcome: McpCallOutcome, message: string) {
    super(message);
    this.name = 'McpToolCallError';
    this.outcome = outcome;
  }
}

/**
 * The tools agents may list: `builtins` by name, and MCP servers' tools as `<server>.<tool>` or
 * `<server>.*`, offered to the model as `<server>_<tool>`. One snapshot per change of any server
 * (a turn keeps the one it started with); each call goes to the server as it is at call time.
 */
export function mcpToolSource(builtins: ToolsInput, supervisor: McpSupervisor): ToolSource {
  let cached: { version: number; snapshot: ToolSnapshot } | undefined;
  // Wrapped tools per runner and tool-list generation: rebuilt only when a server's tools change.
  const wrapped = new WeakMap<McpServerRunner, { generation: number; tools: Map<string, McpTool> }>();

  const wrappedTools = (runner: McpServerRunner): Map<string, McpTool> => {
    const known = wrapped.get(runner);
    if (known && known.generation === runner.generation) return known.tools;
    const tools = new Map(Object.entries(runner.tools).map(([name, tool]) => [name, wrapMcpTool(supervisor, runner.name, name, tool)]));
    wrapped.set(runner, { generation: runner.generation, tools });
    return tools;
  };

  const build = (): ToolSnapshot => ({
    version: `mcp-${supervisor.version}`,
    select(names) {
      const selected = new Map<string, SelectedTool>();
      for (const name of names) {
        const builtin = builtins[name];
        if (builtin) {
          selected.set(name, { tool: builtin, promptName: name });
          continue;
        }
        const ref = parseMcpToolRef(name);
        const runner = ref && supervisor.runner(ref.server);
        if (!ref || !runner) throw new AgentDefinitionError(`unknown tool "${name}" (built-in tools: ${Object.keys(builtins).join(', ')})`);
        if (runner.state === 'disabled') continue;
        const tools = wrappedTools(runner);
        if (ref.tool === '*') {
          for (const [tool, wrappedTool] of tools) selected.set(modelToolName(ref.server, tool), { tool: wrappedTool, promptName: `${ref.server}.${tool}` });
          continue;
        }
        const tool = tools.get(ref.tool);
        // A server that never answered: its tool is offered as a stand-in that explains why it fails.
        if (tool) selected.set(modelToolName(ref.server, ref.tool), { tool, promptName: name });
        else if (!runner.answered)
          selected.set(modelToolName(ref.server, ref.tool), { tool: unavailableTool(supervisor, ref.server, ref.tool), promptName: name });
      }
      return selected;
    },
  });

  return {
    snapshot() {
      if (cached?.version !== supervisor.version) cached = { version: supervisor.version, snapshot: build() };
      return cached.snapshot;
    },
  };
}

/** The MCP tool under the model's name, its calls supervised: a down server or a slow call is a tool error. */
function wrapMcpTool(supervisor: McpSupervisor, server: string, name: string, tool: McpTool): McpTool {
  return createTool({
    id: modelToolName(server, name),
    description: tool.description ?? `Tool "${name}" of MCP server "${server}".`,
    inputSchema: tool.inputSchema,
    mcpMetadata: mcpMetadataOf(server, tool),
    execute: (input: unknown, context: unknown) => callMcpTool(supervisor, server, name, input, context),
  } as Parameters<typeof createTool>[0]) as McpTool;
}

function unavailableTool(supervisor: McpSupervisor, server: string, name: string): McpTool {
  return createTool({
    id: modelToolName(server, name),
    description: `Tool "${name}" of MCP server "${server}", which has not connected yet.`,
    inputSchema: z.looseObject({}),
    mcpMetadata: mcpMetadataOf(server, undefined),
    execute: (input: unknown, context: unknown) => callMcpTool(supervisor, server, name, input, context),
  } as Parameters<typeof createTool>[0]) as McpTool;
}

/**
 * What makes Mastra trace a call as an MCP tool call (`mcp_tool_call`, attribute `mcpServer`;
 * exported as `server.address` and `mastra.mcp_tool_call.server_name`) rather than a plain tool.
 * The server's instructions are not forwarded: what the model reads comes from the project.
 */
function mcpMetadataOf(server: string, tool: McpTool | undefined): { serverName: string; serverVersion?: string } {
  const version = (tool as { mcpMetadata?: { serverVersion?: unknown } } | undefined)?.mcpMetadata?.serverVersion;
  return { serverName: server, ...(typeof version === 'string' ? { serverVersion: version } : {}) };
}

async function callMcpTool(supervisor: McpSupervisor, server: string, name: string, input: unknown, context: unknown): Promise<unknown> {
  const started = performance.now();
  const finish = (outcome: McpCallOutcome) => supervisor.recordCall(server, name, outcome, (performance.now() - started) / 1000);
  // The server as it is now, not as it was when the turn started: it may have restarted since.
  const runner = supervisor.runner(server);
  const tool = runner?.state === 'up' ? runner.tools[name] : undefined;
  if (!runner || !tool?.execute) {
    finish('unavailable');
    const why =
      !runner || runner.state === 'stopped' ? 'was removed from the project' : runner.state === 'up' ? `no longer offers "${name}"` : `is ${runner.state}`;
    const reason = runner?.lastError ? ` (${runner.lastError})` : '';
    throw new McpToolCallError('unavailable', `MCP server "${server}" ${why}${reason}; the tool "${name}" cannot run now. kaged keeps retrying the server.`);
  }
  const timeoutMs = runner.settings.timeoutMs;
  const timedOut = () => new McpToolCallError('timeout', `the tool "${name}" of MCP server "${server}" did not answer within ${timeoutMs} ms`);
  // The call's signal cancels the request at the server (notifications/cancelled) when time is up
  // or the turn is aborted; the race answers the model even if a server ignores cancellation.
  const deadline = AbortSignal.timeout(timeoutMs);
  const turnSignal = (context as { abortSignal?: AbortSignal } | undefined)?.abortSignal;
  const signal = turnSignal ? AbortSignal.any([turnSignal, deadline]) : deadline;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), timeoutMs + 50);
  });
  try {
    const execute = tool.execute.bind(tool);
    const result = await Promise.race([runner.call(() => execute(input as never, { ...(context as object), abortSignal: signal } as never)), timeout]);
    finish('ok');
    return result;
  } catch (error) {
    const outcome = error instanceof McpToolCallError ? error.outcome : deadline.aborted || isTimeout(error) ? 'timeout' : 'error';
    finish(outcome);
    // Not the tool's own error (a closed connection, a dead child): let the runner probe now.
    if (outcome === 'error' && !isToolReportedError(error) && !turnSignal?.aborted) runner.suspect();
    if (outcome === 'timeout' && !(error instanceof McpToolCallError)) throw timedOut();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The SDK's request timeout (`McpError` -32001). */
function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === -32001 || /timed? ?out/i.test(error instanceof Error ? error.message : '');
}

/** The server ran the tool and reported a failure (`isError: true`): the server itself is fine. */
function isToolReportedError(error: unknown): boolean {
  return (error as { id?: unknown } | undefined)?.id === 'MCP_CLIENT_TOOL_EXECUTION_FAILED';
}
