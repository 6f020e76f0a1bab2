import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createProjectFixture, scenarioFiles, scenarioProject, type ProjectFixture } from './support/project-fixture.js';
import { parseSse } from './support/sse.js';

// The CLI as shipped: the built bundle (the root test command builds before testing).
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const { KAGED_PROJECT: _ignored, ...cliEnv } = process.env;
const fixtures: ProjectFixture[] = [];
const children: ChildProcessWithoutNullStreams[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(fixtures.map((f) => f.remove()));
});

async function fixture(yaml = scenarioProject): Promise<ProjectFixture> {
  const created = await createProjectFixture(yaml, scenarioFiles);
  fixtures.push(created);
  return created;
}

function runCli(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: cliEnv, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function startCli(args: string[], cwd: string): Promise<RunningCli> {
  const child = spawn(process.execPath, [cli, 'start', '--port', '0', ...args], { cwd, env: cliEnv });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start:\n${stderr}`)), 30_000);
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stderr.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code}:\n${stderr}`));
    });
  });
  return { child, url, stdout: () => stdout, stderr: () => stderr, exited };
}

// Each case starts a Node process that imports Mastra (about a second, more on a busy machine).
describe('kaged validate', { timeout: 60_000 }, () => {
  it('exits 0 for a valid project', async () => {
    const project = await fixture();
    const result = runCli(['validate'], project.dir);
    expect(result).toMatchObject({ status: 0, stdout: `ok: ${project.file}: project "scenario", 2 agent(s), 2 prompt(s)\n` });
  });

  it('prints every problem with file:line:column and exits 1', async () => {
    const project = await fixture(scenarioProject.replace('model: demo/assistant', 'model: locl/assistant').replace('maxSteps: 8', 'maxSteps: many'));
    const result = runCli(['validate', '--project', 'kaged.yaml'], project.dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'kaged.yaml:11:15 agents.assistant.maxSteps: Invalid input: expected number, received string\n' +
        'kaged: 1 problem(s) in the project; nothing was started\n',
    );
    const fixed = await fixture(scenarioProject.replace('model: demo/assistant', 'model: locl/assistant'));
    const second = runCli(['validate'], fixed.dir);
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(
      'kaged.yaml:7:12 agents.assistant.model: unknown provider "locl" (providers: "demo"; built in: "openai", "anthropic", "ollama")\n',
    );
  });

  it('says where it looked when there is no project file', () => {
    const result = runCli(['validate'], '/');
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('kaged: no kaged.yaml in /: pass --project PATH\n');
  });

  it('rejects unknown options and commands', async () => {
    const project = await fixture();
    expect(runCli(['start', '--colour'], project.dir)).toMatchObject({ status: 2, stderr: expect.stringContaining("Unknown option '--colour'") });
    expect(runCli(['start', '--port', 'x'], project.dir)).toMatchObject({ status: 2, stderr: 'kaged: --port must be an integer from 0 to 65535, got "x"\n' });
    expect(runCli(['launch'], project.dir)).toMatchObject({ status: 2, stderr: expect.stringContaining('unknown command "launch"') });
  });
});

describe('kaged start (child process)', { timeout: 60_000 }, () => {
  it('serves turns, logs JSON lines, and on SIGTERM finishes the running turn and exits 0', async () => {
    const project = await fixture();
    const daemon = await startCli([], project.dir);
    expect(daemon.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const slow = fetch(`${daemon.url}/v1/agents/assistant/turns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ message: 'slow please' }),
    }).then((r) => r.text());
    // Wait until the turn is running before signalling.
    await expect.poll(() => daemon.stdout().includes('"msg":"turn.start"'), { timeout: 10_000 }).toBe(true);
    daemon.child.kill('SIGTERM');

    const events = parseSse(await slow);
    expect(events.at(-1)).toMatchObject({ event: 'turn.end', data: { text: 'a slow answer in several words' } });
    expect(await daemon.exited).toBe(0);

    const lines = daemon
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const messages = lines.map((l) => l.msg);
    expect(messages).toEqual(expect.arrayContaining(['daemon.listening', 'turn.start', 'turn.end', 'daemon.signal', 'daemon.stopping', 'daemon.stopped']));
    expect(messages.indexOf('turn.end')).toBeGreaterThan(messages.indexOf('daemon.signal'));
    const turnStart = lines.find((l) => l.msg === 'turn.start')!;
    expect(turnStart).toMatchObject({
      level: 'info',
      name: 'kaged',
      agentId: 'assistant',
      turnId: events[0]!.data.turnId,
      sessionId: events[0]!.data.sessionId,
    });
  });

  it('keeps a session across a restart of the process', async () => {
    const project = await fixture();
    const first = await startCli([], project.dir);
    const one = (await (
      await fetch(`${first.url}/v1/agents/assistant/turns`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'first life' }),
      })
    ).json()) as {
      sessionId: string;
    };
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);

    const second = await startCli([], project.dir);
    const two = (await (
      await fetch(`${second.url}/v1/agents/assistant/turns`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'second life', sessionId: one.sessionId }),
      })
    ).json()) as { text: string };
    expect(two.text).toBe('echo second life (messages: 2)');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('stops when a supervisor sends SIGTERM to `pnpm kaged start`, leaving no daemon behind', async () => {
    const project = await fixture();
    // The root package's `kaged` script, run by the pnpm that the set-up installs in .tools/.
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const pnpm = `${root}.tools/node_modules/pnpm/bin/pnpm.cjs`;
    const child = spawn(process.execPath, [pnpm, 'kaged', 'start', '--project', project.file, '--port', '0', '--log-format', 'json'], {
      cwd: root,
      env: cliEnv,
    });
    children.push(child);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.resume();
    await expect.poll(() => /"msg":"daemon\.listening"/.test(stdout), { timeout: 30_000 }).toBe(true);
    const daemonPid = Number(/"pid":(\d+)[^\n]*"msg":"daemon\.listening"/.exec(stdout)![1]);
    expect(daemonPid).not.toBe(child.pid);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive(daemonPid)).toBe(true);
    child.kill('SIGTERM');
    await expect.poll(() => alive(daemonPid), { timeout: 15_000, interval: 50 }).toBe(false);
    expect(stdout).toContain('"msg":"daemon.stopped"');
  });

  it('exits 1 with a clear message when the port is taken', async () => {
    const project = await fixture();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = spawnSync(process.execPath, [cli, 'start', '--port', String(port)], { cwd: project.dir, encoding: 'utf8', timeout: 60_000 });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`kaged: 127.0.0.1:${port} is already in use: stop the other process or choose another port with --port`);
    } finally {
      blocker.close();
    }
  });
});
