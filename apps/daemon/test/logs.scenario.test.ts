import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger, LogRing } from '@kaged/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { createProjectFixture, scenarioProject, type ProjectFixture } from './support/project-fixture.js';
import { streamTurn } from './support/sse.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const script = `models:
  assistant:
    - when: "loop"
      steps: [{ tools: [{ name: current_time, input: {} }] }]
    - steps: [{ text: "hello {{message}}" }]
  researcher:
    - steps: [{ text: "facts" }]
`;

let fixture: ProjectFixture;
let daemon: Daemon;
const ring = new LogRing();

beforeAll(async () => {
  fixture = await createProjectFixture(scenarioProject, { 'prompts/assistant.md': 'You help.', 'scripts/demo.yaml': script });
  // Quiet on stdout, everything in the ring: what `kaged start` does, minus the terminal.
  const logger = createLogger({ ring, destination: { write: () => {} } });
  daemon = await startDaemon({ project: fixture.file, port: 0, logger, logRing: ring, env: {} });
});

afterAll(async () => {
  await daemon.close();
  await fixture.remove();
});

async function getJson(path: string) {
  const response = await fetch(`${daemon.url}${path}`);
  return { status: response.status, body: (await response.json()) as any };
}

describe('the log view', { timeout: 60_000 }, () => {
  it('correlates every line of a turn, Mastra’s own included, by turn, session and agent', async () => {
    const { events } = await streamTurn(daemon.url, 'assistant', { message: 'loop forever' });
    const { turnId, sessionId } = events[0]!.data;
    expect(events.at(-1)).toMatchObject({ event: 'turn.error', data: { code: 'script_exhausted' } });

    const { status, body } = await getJson(`/v1/logs?turnId=${turnId}`);
    expect(status).toBe(200);
    const lines = body.lines as Record<string, unknown>[];
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['turn.start', 'turn.error']));
    const fromMastra = lines.filter((l) => l.component === 'mastra');
    expect(fromMastra.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatchObject({ turnId, sessionId, agentId: 'assistant' });
    for (const line of lines) expect(JSON.stringify(line).match(/"turnId"/g)).toHaveLength(1);
  });

  it('filters by level, session and time, and limits to the newest lines', async () => {
    const first = await streamTurn(daemon.url, 'assistant', { message: 'one', sessionId: 'log-session' });
    await streamTurn(daemon.url, 'assistant', { message: 'two', sessionId: 'log-session' });
    const bySession = (await getJson('/v1/logs?sessionId=log-session')).body.lines as { msg: string; turnId: string }[];
    expect(bySession.filter((l) => l.msg === 'turn.end')).toHaveLength(2);
    expect((await getJson('/v1/logs?sessionId=log-session&limit=1')).body.lines).toHaveLength(1);
    const warnings = (await getJson('/v1/logs?level=warn')).body.lines as { level: string }[];
    expect(warnings.length).toBeGreaterThan(0);
    expect(new Set(warnings.map((l) => l.level))).not.toContain('info');
    expect((await getJson(`/v1/logs?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.lines).toEqual([]);
    expect(first.events[0]!.data.sessionId).toBe('log-session');
  });

  it.each([
    ['level=loud', 'level', 'level: must be one of trace, debug, info, warn, error, fatal'],
    ['since=yesterday', 'since', 'since: must be an ISO 8601 time such as 2026-11-23T18:00:00Z'],
    ['limit=0', 'limit', 'limit: must be an integer from 1 to 5000'],
    ['colour=red', 'colour', 'colour: unknown query parameter (level, turnId, sessionId, since, limit, afterSeq)'],
  ])('rejects ?%s naming the field', async (query, field, message) => {
    expect(await getJson(`/v1/logs?${query}`)).toEqual({ status: 400, body: { error: { code: 'invalid_request', message, field } } });
  });

  it('tails new lines live over server-sent events', async () => {
    const abort = new AbortController();
    const response = await fetch(`${daemon.url}/v1/logs/stream?level=info`, { signal: abort.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const { events } = await streamTurn(daemon.url, 'assistant', { message: 'tail me' });
    const turnId = events[0]!.data.turnId as string;
    let text = '';
    const decoder = new TextDecoder();
    while (!text.includes(`"turnId":"${turnId}"`) || !text.includes('"msg":"turn.end"')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    abort.abort();
    expect(text).toMatch(/event: log\ndata: \{.*"msg":"turn\.start".*\}\nid: \d+\n/);
  });

  it('prints recent lines and follows new ones with `kaged logs`', async () => {
    const { events } = await streamTurn(daemon.url, 'assistant', { message: 'for the cli' });
    const turnId = events[0]!.data.turnId as string;
    const child = spawn(process.execPath, [cli, 'logs', '--url', daemon.url, '--turn', turnId, '--follow']);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await expect.poll(() => out, { timeout: 20_000 }).toMatch(/\d\d:\d\d:\d\d\.\d{3} INFO {2}turn\.end .*turnId=/);
    expect(out).toContain(`turnId=${turnId}`);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('says how to reach the daemon when it cannot', () => {
    return new Promise<void>((resolve) => {
      const child = spawn(process.execPath, [cli, 'logs', '--url', 'http://127.0.0.1:9']);
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
      child.on('exit', (code) => {
        expect(code).toBe(1);
        expect(err).toBe('kaged: cannot reach a kaged daemon at http://127.0.0.1:9: is it running? (--url or KAGED_URL to point elsewhere)\n');
        resolve();
      });
    });
  });
});
