// The real filesystem MCP server (@modelcontextprotocol/server-filesystem) over stdio, started by
// the daemon on a temp notes folder; the model is the loopback OpenAI-compatible server, so the
// tool names, descriptions and results are what a real provider would be sent.
import { rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createLogger, SecretValues } from '@kaged/observability';
import { startOpenAIChatServer, type LoopbackModelServer, type ModelReplyHandler } from '@kaged/llm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { processesMatching, waitFor } from './support/child-processes.js';
import { createProjectFixture, type ProjectFixture } from './support/project-fixture.js';
import { streamTurn, type SseEvent } from './support/sse.js';

const require = createRequire(import.meta.url);
const FILESYSTEM_BIN = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');
const ENV_SECRET = 'notes-secret-0123456789';

// Asks for the tool its message names; answers with what the tool returned once it is back.
const model: ModelReplyHandler = (request) => {
  if (request.toolResults.length > 0) return { text: `tool said: ${JSON.stringify(request.toolResults.at(-1))}` };
  const notes = request.lastUserMessage.split(' ').at(-1)!;
  if (request.lastUserMessage.startsWith('list')) return { toolCalls: [{ name: 'files_list_directory', input: { path: notes } }] };
  return { toolCalls: [{ name: 'files_read_text_file', input: { path: join(notes, 'todo.md') } }] };
};

const projectYaml = `version: 1
name: mcp-files
providers:
  local: { type: openai-compatible, baseURL: "\${env:CHAT_URL}" }
mcp:
  servers:
    files:
      command: "\${env:NODE}"
      args: ["${FILESYSTEM_BIN}", "notes"]
      env: { NOTES_TOKEN: "\${env:NOTES_TOKEN}" }
      timeoutMs: 5000
agents:
  assistant:
    model: local/qwen3
    prompt: "You keep notes."
    tools: [current_time, files.*]
  reader:
    model: local/qwen3
    prompt: "You read notes."
    tools: [files.read_text_file, files.no_such_tool]
tools:
  files.read_text_file:
    description: { file: prompts/read.md }
`;

describe('MCP filesystem server over stdio', () => {
  let chat: LoopbackModelServer;
  let project: ProjectFixture;
  let daemon: Daemon;
  let notes: string;
  let firstCheck: { status: string; detail: string } | undefined;
  const logLines: string[] = [];

  beforeAll(async () => {
    chat = await startOpenAIChatServer(model);
    project = await createProjectFixture(projectYaml, { 'notes/todo.md': '- buy milk\n', 'prompts/read.md': 'Reads one note, as the operator says.\n' });
    notes = join(project.dir, 'notes');
    const secrets = new SecretValues();
    const logger = createLogger({ level: 'debug', secrets, destination: { write: (line: string) => void logLines.push(line) } });
    daemon = await startDaemon({
      project: project.file,
      port: 0,
      logger,
      secrets,
      env: { CHAT_URL: chat.baseURL, NODE: process.execPath, NOTES_TOKEN: ENV_SECRET, PATH: process.env.PATH, HOME: process.env.HOME },
    });
    firstCheck = await mcpCheck();
    await waitFor(() => mcpCheck().then((c) => c?.status === 'ok'), 15_000, 'the files server');
  }, 30_000);

  afterAll(async () => {
    await daemon?.close();
    await chat?.close();
    await project?.remove();
  });

  const mcpCheck = async () => {
    const body = (await (await fetch(`${daemon.url}/readyz`)).json()) as { checks: { name: string; status: string; detail: string }[] };
    return body.checks.find((c) => c.name === 'mcp:files');
  };
  const turn = async (agentId: string, message: string): Promise<SseEvent[]> => {
    const { status, events } = await streamTurn(daemon.url, agentId, { message });
    expect(status).toBe(200);
    return events;
  };
  const toolResult = (events: SseEvent[]) => events.find((e) => e.event === 'tool.result')?.data;

  it('starts the server once the daemon listens, and names it in /readyz from the first answer', () => {
    // Loading the MCP client and spawning the server wait for the daemon to listen (daemon.ts).
    const messages = logLines.map((line) => JSON.parse(line) as { msg: string; component?: string });
    const listening = messages.findIndex((m) => m.msg === 'daemon.listening');
    const firstMcp = messages.findIndex((m) => m.msg === 'mcp.server_starting');
    expect(listening).toBeGreaterThanOrEqual(0);
    expect(firstMcp).toBeGreaterThan(listening);
    expect(firstCheck?.status === 'ok' || firstCheck?.detail === 'stdio server connecting').toBe(true);
  });

  it('offers the server tools under provider-safe names, and the result of a read reaches the model', async () => {
    const events = await turn('assistant', `read ${notes}`);
    expect(events.find((e) => e.event === 'tool.call')?.data).toMatchObject({ name: 'files_read_text_file' });
    expect(toolResult(events)).toMatchObject({ name: 'files_read_text_file', isError: false });
    expect(events.at(-1)).toMatchObject({ event: 'turn.end', data: { text: expect.stringContaining('buy milk') } });

    const request = chat.requests.at(-1)!;
    expect(JSON.stringify(request.toolResults)).toContain('- buy milk');
    expect(request.tools).toEqual(expect.arrayContaining(['current_time', 'files_read_text_file', 'files_list_directory', 'files_write_file']));
    for (const name of request.tools) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });

  it('lists a directory too', async () => {
    const events = await turn('assistant', `list ${notes}`);
    expect(toolResult(events)).toMatchObject({ name: 'files_list_directory', isError: false });
    expect(events.at(-1)?.data.text).toContain('todo.md');
  });

  it('gives an agent only the tools it lists, with the operator description, and warns once about a tool the server lacks', async () => {
    const events = await turn('reader', `read ${notes}`);
    expect(events.at(-1)?.data.text).toContain('buy milk');
    const request = chat.requests.at(-1)!;
    expect(request.tools).toEqual(['files_read_text_file']);
    const offered = request.body.tools.find((t: { function: { name: string } }) => t.function.name === 'files_read_text_file');
    expect(offered.function.description).toBe('Reads one note, as the operator says.');
    expect(events[0]?.data.prompts).toEqual(expect.arrayContaining([{ id: 'tools.files.read_text_file.description', version: expect.any(String) }]));

    const warnings = logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'mcp.unknown_tool');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ server: 'files', tool: 'no_such_tool', agent: 'reader', level: 'warn' });
    expect(warnings[0].at).toMatch(/kaged\.yaml:\d+:\d+ agents\.reader\.tools\[1\]$/);
  });

  it('counts calls by server, tool and outcome and reports the server up', async () => {
    const text = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(text).toMatch(/kaged_mcp_tool_calls_total\{server="files",tool="read_text_file",outcome="ok"\} [1-9]/);
    expect(text).toContain('kaged_mcp_server_up{server="files"} 1');
  });

  it('censors the server env values in logs', () => {
    // The daemon registered the value; a line that carries it anyway comes out censored.
    const joined = logLines.join('\n');
    expect(joined).not.toContain(ENV_SECRET);
  });

  it('turns a dead server into a tool error, keeps the turn going, and recovers', async () => {
    const [pid] = processesMatching(`${FILESYSTEM_BIN} notes`);
    expect(pid).toBeGreaterThan(0);
    // Killed, and unable to start again for a while: its folder is gone.
    await rename(notes, `${notes}.away`);
    process.kill(pid!, 'SIGKILL');
    await waitFor(() => processesMatching(`${FILESYSTEM_BIN} notes`).length === 0, 5_000, 'the server to die');

    const failed = await turn('assistant', `read ${notes}`);
    expect(toolResult(failed)).toMatchObject({ name: 'files_read_text_file', isError: true });
    expect(failed.at(-1)?.event).toBe('turn.end');
    await waitFor(() => mcpCheck().then((c) => c?.status === 'degraded'), 5_000, 'readiness to say degraded');
    const down = await turn('assistant', `read ${notes}`);
    expect(JSON.stringify(toolResult(down))).toContain('MCP server \\"files\\" is down');
    expect(await (await fetch(`${daemon.url}/metrics`)).text()).toContain('kaged_mcp_server_up{server="files"} 0');

    await rename(`${notes}.away`, notes);
    await waitFor(() => mcpCheck().then((c) => c?.status === 'ok'), 20_000, 'the server to come back');
    const again = await turn('assistant', `read ${notes}`);
    expect(toolResult(again)).toMatchObject({ isError: false });
    expect(again.at(-1)?.data.text).toContain('buy milk');
    expect(logLines.some((l) => l.includes('"mcp.server_down"'))).toBe(true);
  }, 40_000);

  it('leaves no child process behind when the daemon closes', async () => {
    expect(processesMatching(`${FILESYSTEM_BIN} notes`)).toHaveLength(1);
    await daemon.close();
    expect(processesMatching(`${FILESYSTEM_BIN} notes`)).toEqual([]);
  });
});
