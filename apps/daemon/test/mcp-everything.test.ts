// The MCP reference server (@modelcontextprotocol/server-everything) over stdio and over
// Streamable HTTP: what a local server may see of the daemon's environment, a call that outlives
// timeoutMs, and a hot edit of `mcp:` while a turn runs.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { processesMatching, waitFor } from './support/child-processes.js';
import { createProjectFixture, type ProjectFixture } from './support/project-fixture.js';
import { streamTurn, type SseEvent } from './support/sse.js';

const require = createRequire(import.meta.url);
const EVERYTHING_BIN = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
const DAEMON_SECRET = 'sk-daemon-only-0123456789';

const script = `models:
  assistant:
    - when: "^env"
      steps:
        - tools: [{ name: everything_get-env, input: {} }]
        - text: "{{toolResult}}"
    - when: "^slow tool"
      steps:
        - tools: [{ name: everything_trigger-long-running-operation, input: { duration: 5, steps: 1 } }]
        - text: "after: {{toolResult}}"
    - when: "^hold"
      steps:
        - tools: [{ name: current_time, input: {} }]
          delayMs: 600
        - text: "tools: {{tools}}"
    - when: "^echo"
      steps:
        - tools: [{ name: remote_echo, input: { message: "hi over http" } }]
        - text: "{{toolResult}}"
    - steps:
        - text: "tools: {{tools}}"
`;

const stdioProject = `version: 1
name: mcp-everything
providers:
  demo: { type: scripted, script: { file: scripts/demo.yaml } }
mcp:
  servers:
    everything:
      command: "\${env:NODE}"
      args: ["${EVERYTHING_BIN}", "stdio"]
      env: { GREETING: "hello from the entry" }
      timeoutMs: 1500
agents:
  assistant:
    model: demo/assistant
    prompt: "You test."
    tools: [current_time, everything.*]
    maxSteps: 4
`;

const httpProject = (url: string) => `version: 1
name: mcp-everything
providers:
  demo: { type: scripted, script: { file: scripts/demo.yaml } }
mcp:
  servers:
    remote:
      url: "${url}"
      headers: { Authorization: "Bearer \${env:REMOTE_TOKEN}" }
agents:
  assistant:
    model: demo/assistant
    prompt: "You test."
    tools: [current_time, remote.*]
    maxSteps: 4
`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('MCP everything server over stdio and Streamable HTTP', () => {
  let project: ProjectFixture;
  let daemon: Daemon;
  let http: ChildProcess;
  let httpUrl: string;

  const checks = async () =>
    ((await (await fetch(`${daemon.url}/readyz`)).json()) as { checks: { name: string; status: string; detail: string }[] }).checks.filter((c) =>
      c.name.startsWith('mcp:'),
    );
  const turn = async (message: string): Promise<SseEvent[]> => {
    const { status, events } = await streamTurn(daemon.url, 'assistant', { message });
    expect(status).toBe(200);
    return events;
  };

  beforeAll(async () => {
    const port = await freePort();
    httpUrl = `http://127.0.0.1:${port}/mcp`;
    http = spawn(process.execPath, [EVERYTHING_BIN, 'streamableHttp'], { env: { PATH: process.env.PATH, PORT: String(port) }, stdio: 'ignore' });
    project = await createProjectFixture(stdioProject, { 'scripts/demo.yaml': script });
    daemon = await startDaemon({
      project: project.file,
      port: 0,
      env: { NODE: process.execPath, PATH: process.env.PATH, HOME: process.env.HOME, OPENAI_API_KEY: DAEMON_SECRET, REMOTE_TOKEN: 'remote-token-0123456789' },
    });
    await waitFor(async () => (await checks())[0]?.status === 'ok', 15_000, 'the stdio server');
  }, 30_000);

  afterAll(async () => {
    await daemon?.close();
    http?.kill('SIGKILL');
    await project?.remove();
  });

  it('starts a local server with PATH, HOME and its own env only, never the daemon environment', async () => {
    const events = await turn('env');
    const result = events.find((e) => e.event === 'tool.result')!.data;
    expect(result).toMatchObject({ name: 'everything_get-env', isError: false });
    const text = events.at(-1)!.data.text as string;
    const env = JSON.parse(JSON.parse(text).content[0].text) as Record<string, string>;
    expect(env.GREETING).toBe('hello from the entry');
    expect(env.PATH).toBe(process.env.PATH);
    expect(text).not.toContain(DAEMON_SECRET);
    expect(Object.keys(env).filter((k) => !['PATH', 'HOME', 'GREETING'].includes(k))).toEqual([]);
  });

  it('ends a call that outlives timeoutMs with a tool error, and the turn goes on', async () => {
    const started = Date.now();
    const events = await turn('slow tool');
    expect(Date.now() - started).toBeLessThan(4_500);
    expect(events.find((e) => e.event === 'tool.result')?.data).toMatchObject({ name: 'everything_trigger-long-running-operation', isError: true });
    expect(events.at(-1)).toMatchObject({ event: 'turn.end', data: { text: expect.stringMatching(/^after: .*(did not answer within 1500 ms|timed out)/i) } });
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(metrics).toContain('kaged_mcp_tool_calls_total{server="everything",tool="trigger-long-running-operation",outcome="timeout"} 1');
  });

  it('applies an edit of mcp: — a running turn keeps its tools, the old child stops, the remote server serves the next turn', async () => {
    await waitFor(
      () =>
        fetch(httpUrl, { method: 'GET' }).then(
          () => true,
          () => false,
        ),
      10_000,
      'the HTTP server',
    );
    // The timed-out call above made Mastra's client reconnect: the replaced child may still be exiting.
    await waitFor(() => processesMatching(`${EVERYTHING_BIN} stdio`).length === 1, 5_000, 'one stdio child');

    const running = turn('hold on');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await project.write('kaged.yaml', httpProject(httpUrl));
    await waitFor(async () => (await checks()).map((c) => `${c.name}=${c.status}`).join() === 'mcp:remote=ok', 15_000, 'the remote server alone');
    const held = await running;
    const heldTools = held.at(-1)!.data.text as string;
    expect(heldTools).toContain('everything_echo');
    expect(heldTools).not.toContain('remote_echo');

    await waitFor(() => processesMatching(`${EVERYTHING_BIN} stdio`).length === 0, 5_000, 'the stdio child to stop');
    const events = await turn('echo');
    expect(events.find((e) => e.event === 'tool.result')?.data).toMatchObject({ name: 'remote_echo', isError: false });
    expect(events.at(-1)?.data.text).toContain('hi over http');
  }, 30_000);
});
