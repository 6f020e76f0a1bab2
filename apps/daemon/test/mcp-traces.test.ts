// A local MCP server (test/support/mcp-test-server.mjs) in a real turn, with local traces and
// Langfuse (a loopback OTLP receiver): its tool spans carry the server's name, a long output is
// cut in the spans while the model gets it whole, and what the server writes on stderr reaches
// the log, bounded and censored.
import { fileURLToPath } from 'node:url';
import { createLogger, SecretValues } from '@kaged/observability';
import { startOpenAIChatServer, type LoopbackModelServer, type ModelReplyHandler } from '@kaged/llm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { waitFor } from './support/child-processes.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';
import { createProjectFixture, type ProjectFixture } from './support/project-fixture.js';
import { streamTurn } from './support/sse.js';

const SERVER = fileURLToPath(new URL('./support/mcp-test-server.mjs', import.meta.url));
const SECRET = 'probe-secret-0123456789abcdef';
const LONG_OUTPUT = 12_000;
const MAX_CHARS = 500;

// Calls the tool the message names; once it has the result, says how long it was.
const model: ModelReplyHandler = (request) => {
  if (request.toolResults.length > 0) return { text: `the tool said ${JSON.stringify(request.toolResults.at(-1)).length} characters` };
  if (request.lastUserMessage.startsWith('long')) return { toolCalls: [{ name: 'probe_long_output', input: { chars: LONG_OUTPUT } }] };
  return { toolCalls: [{ name: 'probe_echo', input: { text: 'short and sweet' } }] };
};

const projectYaml = (chatUrl: string, langfuseUrl: string) => `version: 1
name: mcp-traces
providers:
  local: { type: openai-compatible, baseURL: "${chatUrl}" }
mcp:
  servers:
    probe:
      command: node
      args: ["${SERVER}"]
      env: { STDERR_SECRET: "\${env:PROBE_SECRET}", STDERR_LONG: "5000", STDERR_BURST: "80" }
agents:
  assistant:
    model: local/qwen3
    prompt: "You use tools."
    tools: [probe.*]
observability:
  toolOutputMaxChars: ${MAX_CHARS}
  flushEachTurn: true
  langfuse: { publicKey: pk-lf-mcp, secretKey: sk-lf-mcp-0123456789, baseUrl: "${langfuseUrl}" }
`;

interface LocalSpan {
  type: string;
  name: string;
  output: unknown;
  attributes: Record<string, unknown>;
  children: LocalSpan[];
}

const flatten = (spans: LocalSpan[]): LocalSpan[] => spans.flatMap((s) => [s, ...flatten(s.children)]);

describe('MCP tool calls in traces and logs', { timeout: 60_000 }, () => {
  let chat: LoopbackModelServer;
  let lf: OtlpReceiver;
  let project: ProjectFixture;
  let daemon: Daemon;
  const logLines: string[] = [];
  const records = () => logLines.map((line) => JSON.parse(line) as Record<string, any>);

  beforeAll(async () => {
    chat = await startOpenAIChatServer(model);
    lf = await startOtlpReceiver();
    project = await createProjectFixture(projectYaml(chat.baseURL, lf.url));
    const secrets = new SecretValues();
    const logger = createLogger({ level: 'info', secrets, destination: { write: (line: string) => void logLines.push(line) } });
    daemon = await startDaemon({
      project: project.file,
      port: 0,
      logger,
      secrets,
      env: { PROBE_SECRET: SECRET, PATH: process.env.PATH, HOME: process.env.HOME },
    });
    await waitFor(
      async () => {
        const body = (await (await fetch(`${daemon.url}/readyz`)).json()) as { checks: { name: string; status: string }[] };
        return body.checks.find((c) => c.name === 'mcp:probe')?.status === 'ok';
      },
      20_000,
      'the probe server',
    );
  }, 40_000);

  afterAll(async () => {
    await daemon?.close();
    await lf?.close();
    await chat?.close();
    await project?.remove();
  });

  const localTrace = async (traceId: string): Promise<LocalSpan[]> => {
    await expect.poll(async () => (await fetch(`${daemon.url}/v1/traces/${traceId}`)).status, { timeout: 10_000 }).toBe(200);
    // The tool span is written when it ends; poll until the trace holds it.
    let spans: LocalSpan[] = [];
    await expect
      .poll(
        async () => {
          spans = flatten(((await (await fetch(`${daemon.url}/v1/traces/${traceId}`)).json()) as { spans: LocalSpan[] }).spans);
          return spans.some((s) => s.type === 'mcp_tool_call' && s.output !== null);
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    return spans;
  };
  const langfuseTool = async (traceId: string): Promise<ReceivedSpan> => {
    await expect
      .poll(() => lf.spans().some((s) => s.traceId === traceId && s.attributes['gen_ai.operation.name'] === 'execute_tool'), { timeout: 15_000 })
      .toBe(true);
    return lf.spans().find((s) => s.traceId === traceId && s.attributes['gen_ai.operation.name'] === 'execute_tool')!;
  };

  it('cuts a long tool output to toolOutputMaxChars in the local trace and in Langfuse; the model got it whole', async () => {
    const { events } = await streamTurn(daemon.url, 'assistant', { message: 'long please' });
    expect(events.at(-1)?.event).toBe('turn.end');
    const traceId = events[0]!.data.traceId as string;

    // The model's next step received the whole text.
    const received = chat.requests.at(-1)!;
    const full = JSON.stringify(received.toolResults.at(-1));
    expect(full).toContain('END-OF-OUTPUT');
    expect(full.length).toBeGreaterThan(LONG_OUTPUT);

    const tool = (await localTrace(traceId)).find((s) => s.type === 'mcp_tool_call')!;
    expect(typeof tool.output).toBe('string');
    const output = tool.output as string;
    expect(output).toMatch(/…\[truncated \d+ chars\]$/);
    expect(output.length).toBeLessThan(MAX_CHARS + 30);
    expect(output).not.toContain('END-OF-OUTPUT');
    const dropped = Number(/truncated (\d+) chars/.exec(output)![1]);
    expect(dropped).toBeGreaterThan(LONG_OUTPUT - MAX_CHARS);

    const sent = await langfuseTool(traceId);
    expect(sent.attributes['gen_ai.tool.call.result']).toBe(output);
  });

  it('names the MCP server on its tool spans, in the local trace and in what Langfuse receives', async () => {
    const { events } = await streamTurn(daemon.url, 'assistant', { message: 'echo please' });
    expect(events.at(-1)).toMatchObject({ event: 'turn.end', data: { text: expect.stringContaining('the tool said') } });
    const traceId = events[0]!.data.traceId as string;

    const tool = (await localTrace(traceId)).find((s) => s.type === 'mcp_tool_call')!;
    expect(tool.name).toBe("mcp_tool: 'probe_echo' on 'probe'");
    expect(tool.attributes).toMatchObject({ mcpServer: 'probe', serverVersion: '1.2.3' });
    // Short: whole.
    expect(JSON.stringify(tool.output)).toContain('short and sweet');

    const sent = await langfuseTool(traceId);
    expect(sent.name).toBe('execute_tool probe_echo');
    expect(sent.attributes).toMatchObject({
      'mastra.span.type': 'mcp_tool_call',
      'mastra.mcp_tool_call.server_name': 'probe',
      'server.address': 'probe',
      'gen_ai.tool.name': 'probe_echo',
      // Observation metadata, where Langfuse users filter.
      'langfuse.observation.metadata.mcpServer': 'probe',
    });
  });

  it("logs the server's stderr under component mcp with its name: censored, long lines cut, bursts bounded", async () => {
    const lines = records().filter((r) => r.msg === 'mcp.server_stderr');
    expect(lines[0]).toMatchObject({ level: 'info', component: 'mcp', server: 'probe', line: expect.stringMatching(/^test-server starting pid=\d+$/) });
    expect(lines.map((l) => l.line)).toContain('connecting with token [redacted]');
    expect(logLines.join('\n')).not.toContain(SECRET);
    const long = lines.find((l) => l.line.startsWith('LLL'))!;
    expect(long.line).toBe(`${'L'.repeat(1000)}…[truncated 4000 chars]`);
    // 80 lines at once, after 3 others: 50 per 10 s window are logged, the rest counted when the window closes.
    const burst = lines.filter((l) => l.line.startsWith('burst line '));
    expect(burst.map((l) => l.line)).toEqual(Array.from({ length: 47 }, (_, i) => `burst line ${i}`));
    await daemon.close();
    const dropped = records().find((r) => r.msg === 'mcp.server_stderr_dropped');
    expect(dropped).toMatchObject({ level: 'warn', component: 'mcp', server: 'probe', maxLines: 50, windowMs: 10_000 });
    expect(dropped!.dropped).toBeGreaterThanOrEqual(33);
  });
});
