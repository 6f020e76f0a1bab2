// The CLI as shipped (dist/cli.js), killed with SIGKILL in the middle of a turn: the turn's
// trace was left `running` in kaged.db. Started again on the same data directory, the daemon
// ends it as interrupted, so `GET /v1/traces/{id}` no longer says it is running (issue 16).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/child-processes.js';
import { createProjectFixture, type ProjectFixture } from './support/project-fixture.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const { KAGED_PROJECT: _project, KAGED_URL: _url, KAGED_TOKEN: _token, KAGED_DATA_DIR: _dataDir, ...cliEnv } = process.env;

const projectYaml = `version: 1
name: interrupted
providers:
  demo: { type: scripted, script: { file: scripts/demo.yaml } }
agents:
  assistant:
    model: demo/assistant
    prompt: "You answer slowly."
`;
// A minute between stream parts: the turn is still running whenever the test kills the daemon.
const files = {
  'scripts/demo.yaml': `models:
  assistant:
    - when: "slow"
      steps:
        - text: "a very slow answer"
          delayMs: 60000
    - steps:
        - text: "a quick answer"
`,
};

interface RunningDaemon {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let project: ProjectFixture | undefined;
const children: ChildProcessWithoutNullStreams[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await project?.remove();
});

async function start(dir: string): Promise<RunningDaemon> {
  const child = spawn(process.execPath, [cli, 'start', '--port', '0'], { cwd: dir, env: cliEnv });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await waitFor<string | undefined>(
    () => {
      if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}:\n${stderr}`);
      return /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
    },
    30_000,
    `the daemon to listen:\n${stderr}`,
  );
  return { child, url: url!, stdout: () => stdout, exited };
}

/** Starts a turn and returns its ids as soon as `turn.start` has arrived; the rest is left streaming. */
async function startTurn(url: string, message: string): Promise<{ turnId: string; traceId: string; body: ReadableStreamDefaultReader<Uint8Array> }> {
  const response = await fetch(`${url}/v1/agents/assistant/turns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ message }),
  });
  expect(response.status).toBe(200);
  const body = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await body.read();
    if (done) throw new Error(`the stream ended before turn.start:\n${text}`);
    text += decoder.decode(value, { stream: true });
    const match = /event: turn\.start\r?\ndata: (.*)\r?\n/.exec(text);
    if (match) {
      const data = JSON.parse(match[1]!) as { turnId: string; traceId: string };
      return { ...data, body };
    }
  }
}

const trace = async (url: string, traceId: string) => {
  const response = await fetch(`${url}/v1/traces/${traceId}`);
  return response.status === 200 ? ((await response.json()) as Record<string, any>) : undefined;
};

describe('a trace left running by a killed daemon', { timeout: 90_000 }, () => {
  it('is ended as interrupted when the daemon starts again on the same data directory', async () => {
    project = await createProjectFixture(projectYaml, files);
    const first = await start(project.dir);
    const slow = await startTurn(first.url, 'slow please');
    expect(slow.traceId).toMatch(/^[0-9a-f]{32}$/);
    // The root span is written about a second after the turn starts (the exporter's batch).
    const running = await waitFor(
      async () => {
        const found = await trace(first.url, slow.traceId);
        return found?.status === 'running' ? found : undefined;
      },
      15_000,
      'the running trace',
    );
    expect(running).toMatchObject({ status: 'running', endedAt: null });

    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await slow.body.cancel().catch(() => {});

    const second = await start(project.dir);
    try {
      const ended = await waitFor(
        async () => {
          const found = await trace(second.url, slow.traceId);
          return found && found.status !== 'running' ? found : undefined;
        },
        15_000,
        'the trace to be marked interrupted',
      );
      if (!ended) throw new Error('unreachable: waitFor returns a found trace');
      expect(ended).toMatchObject({ traceId: slow.traceId, turnId: slow.turnId, status: 'error', endedAt: expect.any(String) });
      expect(ended.spans[0]).toMatchObject({ status: 'error', error: 'daemon stopped before the turn ended', endedAt: expect.any(String) });
      // Every span of it that was open is closed too: nothing in the tree is still running.
      const open = (spans: Record<string, any>[]): string[] => spans.flatMap((s) => [...(s.status === 'running' ? [s.name] : []), ...open(s.children)]);
      expect(open(ended.spans)).toEqual([]);
      // It ended at its last recorded activity, not at the restart.
      expect(Date.parse(ended.endedAt)).toBeLessThan(Date.parse(ended.startedAt) + 30_000);
      const listed = (await (await fetch(`${second.url}/v1/traces`)).json()) as { traces: { traceId: string; status: string }[] };
      expect(listed.traces.find((t) => t.traceId === slow.traceId)?.status).toBe('error');
      expect(second.stdout()).toContain('"msg":"traces.marked_interrupted"');

      // A turn of this daemon is not touched: it runs and ends normally.
      const quick = await fetch(`${second.url}/v1/agents/assistant/turns`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'quick' }),
      });
      expect(quick.status).toBe(200);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
