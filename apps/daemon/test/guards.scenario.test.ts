import { createLogger } from '@kaged/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { formatIssue, ProjectConfigError } from '../src/errors/project-config-error.js';
import { loadProject } from '../src/project/load-project.js';
import { createProjectFixture, type ProjectFixture } from './support/project-fixture.js';
import { streamTurn } from './support/sse.js';

const project = `version: 1
name: guarded
providers:
  demo: { type: scripted, script: { file: scripts/demo.yaml } }
agents:
  assistant:
    model: demo/assistant
    prompt: "You are guarded."
    tools: [current_time]
    maxSteps: 3
    guards:
      repeatedToolCall: 2
      expectTools:
        - { tools: [current_time], when: "\\\\btime\\\\b" }
`;
const script = `models:
  assistant:
    - when: "again"
      steps:
        - tools: [{ name: current_time, input: { timeZone: UTC } }]
        - tools: [{ name: current_time, input: { timeZone: UTC } }]
        - text: "never reached"
    - when: "time"
      steps: [{ text: "I think it is noon, probably, give or take an hour or so." }]
    - steps: [{ text: "a varied and perfectly ordinary answer" }]
`;

let fixture: ProjectFixture;
let daemon: Daemon;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  fixture = await createProjectFixture(project, { 'scripts/demo.yaml': script });
  const logger = createLogger({ destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) } });
  daemon = await startDaemon({ project: fixture.file, port: 0, logger, env: {} });
});

afterAll(async () => {
  await daemon.close();
  await fixture.remove();
});

describe('guards through the daemon', { timeout: 60_000 }, () => {
  it('flags a turn that skipped an expected tool: SSE guard.flag before turn.end, a warn line', async () => {
    const { events } = await streamTurn(daemon.url, 'assistant', { message: 'what time is it?' });
    const names = events.map((e) => e.event);
    expect(names.slice(-2)).toEqual(['guard.flag', 'turn.end']);
    expect(events.at(-2)!.data).toEqual({
      guard: 'expected_tools',
      action: 'flag',
      message: expect.stringContaining('finished without calling current_time'),
      details: { missing: ['current_time'], called: [] },
    });
    const turnId = events[0]!.data.turnId;
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'guard.flag', level: 'warn', guard: 'expected_tools', turnId, agentId: 'assistant' }));
  });

  it('stops a repeated tool call with a clear turn.error, and reports the flags in JSON too', async () => {
    const response = await fetch(`${daemon.url}/v1/agents/assistant/turns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'again please' }),
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: {
        code: 'repeated_tool_call',
        message: expect.stringContaining('called current_time with the same input 2 times in one turn'),
        turnId: expect.any(String),
        sessionId: expect.any(String),
        guardFlags: [expect.objectContaining({ guard: 'repeated_tool_call', action: 'stop' })],
      },
    });
    const ok = await fetch(`${daemon.url}/v1/agents/assistant/turns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hello' }),
    });
    expect(await ok.json()).not.toHaveProperty('guardFlags');
  });

  it('validates guards with positions: an expected tool the agent does not have', async () => {
    const broken = await createProjectFixture(project.replace('tools: [current_time], when', 'tools: [web_search], when'), { 'scripts/demo.yaml': script });
    try {
      const error = await loadProject(broken.file, { env: {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProjectConfigError);
      expect((error as ProjectConfigError).issues.map((i) => formatIssue({ ...i, file: 'kaged.yaml' }))).toEqual([
        'kaged.yaml:14:20 agents.assistant.guards.expectTools[0].tools: expects tool "web_search", which agent "assistant" does not have (its tools: current_time)',
      ]);
    } finally {
      await broken.remove();
    }
  });
});
