import type { Harness, TurnEvent } from '@kaged/harness';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Hono } from 'hono';
import { z } from 'zod';
import { kagedVersion } from '../version.js';

export interface McpRouteOptions {
  harness: Harness;
  /** True once shutdown began: new turns are refused. */
  isClosing(): boolean;
}

const inputSchema = {
  message: z.string().min(1).max(200_000).describe('What to ask the agent.'),
  sessionId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/)
    .optional()
    .describe('Continue this session (the sessionId of an earlier answer); a new session when absent.'),
};
const outputSchema = {
  answer: z.string(),
  sessionId: z.string(),
  turnId: z.string(),
  traceId: z.string().nullable(),
};

/**
 * `POST/GET/DELETE /mcp`: the project's agents as MCP tools, over Streamable HTTP (the official
 * SDK's web-standard transport). Stateless: each request gets a fresh server over the agents as
 * they are now, so a hot edit of the agents shows at the next `tools/list`; continuity lives in
 * the turn's `sessionId`, not in an MCP session. The bearer token and the Origin/Host checks are
 * app-wide (server/app.ts).
 */
export function mcpRoutes({ harness, isClosing }: McpRouteOptions): Hono {
  const app = new Hono();
  // Stateless: there is no stream of server-initiated messages to open (the spec's answer is 405).
  app.get('/mcp', (c) =>
    c.json({ jsonrpc: '2.0', error: { code: -32000, message: "GET is not supported: kaged's /mcp is stateless; POST requests" }, id: null }, 405, {
      Allow: 'POST, DELETE',
    }),
  );
  app.all('/mcp', async (c) => {
    const { McpServer, WebStandardStreamableHTTPServerTransport } = await mcpSdk();
    const server = agentsServer(new McpServer({ name: 'kaged', version: kagedVersion }, { capabilities: { tools: {} } }), harness, isClosing);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      // The JSON answer is complete: nothing more will be sent on this request.
      void server.close();
    }
  });
  return app;
}

let sdk: Promise<{ McpServer: typeof McpServer; WebStandardStreamableHTTPServerTransport: typeof WebStandardStreamableHTTPServerTransport }> | undefined;

/** The MCP SDK, loaded at the first `/mcp` request rather than at every daemon's start. */
function mcpSdk() {
  sdk ??= Promise.all([import('@modelcontextprotocol/sdk/server/mcp.js'), import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js')]).then(
    ([mcp, transport]) => ({ McpServer: mcp.McpServer, WebStandardStreamableHTTPServerTransport: transport.WebStandardStreamableHTTPServerTransport }),
  );
  return sdk;
}

/** `server` with each agent registered as a tool. */
function agentsServer(server: McpServer, harness: Harness, isClosing: () => boolean): McpServer {
  for (const agent of harness.listAgents()) {
    server.registerTool(
      agent.id,
      {
        title: agent.id,
        description: `${agent.description ?? `The ${agent.id} agent.`} Answers in text; pass the sessionId of an answer back to continue its conversation.`,
        inputSchema,
        outputSchema,
      },
      async ({ message, sessionId }, extra): Promise<CallToolResult> => {
        if (isClosing()) return failure('shutting_down', 'the daemon is shutting down; retry against the new instance');
        if (!harness.hasAgent(agent.id)) return failure('unknown_agent', `agent "${agent.id}" is no longer defined`);
        const turn = harness.startTurn({ agentId: agent.id, message, sessionId, signal: extra.signal, metadata: { client: 'mcp' } });
        let last: TurnEvent | undefined;
        let traceId: string | null = null;
        for await (const event of turn.events) {
          if (event.type === 'turn.start') traceId = event.traceId;
          last = event;
        }
        if (last?.type !== 'turn.end') {
          const error = last?.type === 'turn.error' ? last : undefined;
          return failure(error?.code ?? 'internal_error', error?.message ?? 'the turn ended without an answer', {
            sessionId: turn.sessionId,
            turnId: turn.turnId,
          });
        }
        const structuredContent = { answer: last.text, sessionId: turn.sessionId, turnId: turn.turnId, traceId };
        return { content: [{ type: 'text', text: last.text }], structuredContent };
      },
    );
  }
  return server;
}

function failure(code: string, message: string, ids: Record<string, string> = {}): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `${code}: ${message}` }], _meta: { 'kaged/error': { code, ...ids } } };
}
