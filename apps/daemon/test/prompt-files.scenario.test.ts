import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@kaged/observability';
import { afterAll, describe, expect, it } from 'vitest';
import { startDaemon } from '../src/daemon.js';
import { ProjectConfigError } from '../src/errors/project-config-error.js';
import { createProjectFixture, type ProjectFixture } from './support/project-fixture.js';
import { streamTurn } from './support/sse.js';

// Issue 16, items 5 and 6: a prompt file that is a FIFO, a directory, a device, binary or too
// big is a positioned error at start and in `kaged validate`, and a stale-with-reason prompt on
// a live edit (the last good version keeps serving); never a hang, and SIGTERM still stops.

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const { KAGED_PROJECT: _ignored, KAGED_DATA_DIR: _ignoredToo, ...cliEnv } = process.env;

const projectYaml = `version: 1
name: prompt-files
providers:
  demo: { type: scripted, script: { file: scripts/demo.yaml } }
agents:
  assistant:
    model: demo/assistant
    prompt: { file: prompts/assistant.md }
prompts: { maxFileBytes: 4096 }
`;
// The field that names the prompt file, as every error about it must point at it.
const field = 'kaged.yaml:8:21 agents.assistant.prompt.file';

// The model answers with the system prompt it was given: a turn's text shows the version used.
const files = { 'scripts/demo.yaml': 'models:\n  "*":\n    - steps: [{ text: "{{system}}" }]\n', 'prompts/assistant.md': 'You are version one.' };

type Make = (path: string) => Promise<unknown>;
const badFiles: [string, Make, string][] = [
  ['a FIFO', async (path) => execFileSync('mkfifo', [path]), 'not a regular file (a FIFO)'],
  ['a directory', (path) => mkdir(path), 'not a regular file (a directory)'],
  ['a symlink to /dev/zero', (path) => symlink('/dev/zero', path), 'not a regular file (a character device)'],
  ['binary', (path) => writeFile(path, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xc3, 0x28, 0xff])), 'not UTF-8 text (a binary file?)'],
  ['oversize', (path) => writeFile(path, 'x'.repeat(4097)), 'file is 4097 bytes, over the limit of 4096 (prompts.maxFileBytes)'],
];

const fixtures: ProjectFixture[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(fixtures.map((f) => f.remove()));
});

async function fixture(): Promise<ProjectFixture> {
  const created = await createProjectFixture(projectYaml, files);
  fixtures.push(created);
  return created;
}

async function replaceWith(path: string, make: Make): Promise<void> {
  await rm(path, { recursive: true, force: true });
  await make(path);
}

/** The CLI as shipped; a hang shows as a timeout (status null) instead of blocking the suite. */
function runCli(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: cliEnv, timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('a prompt file that is not prompt text, at start', { timeout: 60_000 }, () => {
  it.each(badFiles)('start refuses %s with the positioned error, without hanging', async (_name, make, reason) => {
    const project = await fixture();
    const path = join(project.dir, 'prompts/assistant.md');
    await replaceWith(path, make);
    const logger = createLogger({ level: 'silent' });
    const started = startDaemon({ project: project.file, port: 0, logger, env: {} });
    const error = await Promise.race([
      started.then(
        async (daemon) => {
          await daemon.close();
          return 'started';
        },
        (e: unknown) => e,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still starting after 5 s'), 5_000).unref()),
    ]);
    expect(ProjectConfigError.isInstance(error)).toBe(true);
    expect((error as ProjectConfigError).issues).toEqual([
      { file: project.file, line: 8, column: 21, path: 'agents.assistant.prompt.file', message: `cannot read prompt file ${path}: ${reason}` },
    ]);
  });

  it.each(badFiles.slice(0, 2))('kaged validate and kaged start both refuse %s, and validate opens no data store', async (_name, make, reason) => {
    const project = await fixture();
    const path = join(project.dir, 'prompts/assistant.md');
    await replaceWith(path, make);
    const expected = `${field}: cannot read prompt file ${path}: ${reason}\nkaged: 1 problem(s) in the project; nothing was started\n`;
    expect(runCli(['validate'], project.dir)).toMatchObject({ status: 1, stderr: expected, stdout: '' });
    expect(existsSync(join(project.dir, '.kaged'))).toBe(false);
    expect(runCli(['start', '--port', '0'], project.dir)).toMatchObject({ status: 1, stderr: expected });
  });

  it('kaged validate reads the prompt files: a good project passes', async () => {
    const project = await fixture();
    expect(runCli(['validate'], project.dir)).toMatchObject({ status: 0, stdout: `ok: ${project.file}: project "prompt-files", 1 agent(s), 1 prompt(s)\n` });
    expect(existsSync(join(project.dir, '.kaged'))).toBe(false);
  });
});

interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function startCli(cwd: string): Promise<RunningCli> {
  const child = spawn(process.execPath, [cli, 'start', '--port', '0', '--log-level', 'warn'], { cwd, env: cliEnv });
  children.push(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start:\n${stderr}`)), 30_000);
    child.stderr.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code}:\n${stderr}`));
    });
  });
  return { child, url, stderr: () => stderr, exited };
}

async function promptsView(url: string) {
  return (await (await fetch(`${url}/v1/prompts`)).json()) as {
    project: { state: string; errors: string[] };
    prompts: { id: string; state: string; error: string | null; version: string }[];
  };
}

async function turnText(url: string): Promise<string> {
  const { status, events } = await streamTurn(url, 'assistant', { message: 'hi' });
  expect(status).toBe(200);
  return (events.at(-1)!.data as { text: string }).text;
}

describe('a prompt file that turns into something else while the daemon runs', { timeout: 60_000 }, () => {
  it('keeps serving the last good version with a positioned reason for each, picks up a fix, and still stops on SIGTERM', async () => {
    const project = await fixture();
    const path = join(project.dir, 'prompts/assistant.md');
    const daemon = await startCli(project.dir);
    expect(await turnText(daemon.url)).toBe('You are version one.');

    let good = 1;
    for (const [name, make, reason] of badFiles) {
      await replaceWith(path, make);
      const error = `${field}: ${path}: ${reason}; serving the last good version`;
      await expect
        .poll(async () => (await promptsView(daemon.url)).prompts[0]?.error ?? '', { timeout: 5_000, message: `stale reason for ${name}` })
        .toContain(error);
      expect(await turnText(daemon.url)).toBe(`You are version ${['one', 'two', 'three', 'four', 'five'][good - 1]}.`);
      // A good save after each bad one: hot reload is not frozen by what came before.
      good++;
      const text = `You are version ${['one', 'two', 'three', 'four', 'five', 'six'][good - 1]}.`;
      await replaceWith(path, (p) => writeFile(p, text));
      await expect.poll(async () => (await promptsView(daemon.url)).prompts[0]?.state, { timeout: 5_000 }).toBe('ok');
      expect(await turnText(daemon.url)).toBe(text);
    }

    // The project file re-pointed at a FIFO: the project is stale, positioned at the field (not 1:1).
    execFileSync('mkfifo', [join(project.dir, 'prompts/fifo.md')]);
    await writeFile(project.file, projectYaml.replace('prompts/assistant.md', 'prompts/fifo.md'));
    await expect
      .poll(async () => (await promptsView(daemon.url)).project.errors, { timeout: 5_000 })
      .toEqual([`kaged.yaml:8:21 agents.assistant.prompt.file: cannot read prompt file ${join(project.dir, 'prompts/fifo.md')}: not a regular file (a FIFO)`]);
    expect(await turnText(daemon.url)).toBe('You are version six.');

    const stopping = Date.now();
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(5_000);
  });
});
