import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@kaged/observability';
import { contentVersion } from '@kaged/prompt-watcher';
import { configMapSwap, createConfigMapFile, createSaveLedger, editorSaves, inPlace, type EditorSave } from '@kaged/prompt-watcher/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { createProjectFixture, type ProjectFixture } from './support/project-fixture.js';
import { streamTurn } from './support/sse.js';

const project = `version: 1
name: reload
providers:
  demo: { type: scripted, script: { file: scripts/demo.yaml } }
agents:
  assistant:
    model: demo/assistant
    prompt: { file: prompts/assistant.md }
`;

// The model answers with exactly the system prompt it was given, so a turn's text shows which
// prompt version it ran with.
const script = `models:
  "*":
    - when: "slow"
      steps: [{ text: "{{system}}", delayMs: 40 }]
    - steps: [{ text: "{{system}}" }]
`;

interface LogLine {
  msg: string;
  [field: string]: unknown;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function start(files: Record<string, string>, yaml = project): Promise<{ fixture: ProjectFixture; daemon: Daemon; logs: LogLine[] }> {
  const fixture = await createProjectFixture(yaml, { 'scripts/demo.yaml': script, ...files });
  cleanups.push(() => fixture.remove());
  const logs: LogLine[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) } });
  const daemon = await startDaemon({ project: fixture.file, port: 0, logger, env: {} });
  cleanups.push(() => daemon.close());
  return { fixture, daemon, logs };
}

/** A long multi-line prompt: half of one is easy to tell from a whole one. */
function promptVersion(label: string): string {
  return `You are assistant ${label}.\n\n${`Rule for ${label}: answer briefly and correctly.\n`.repeat(30)}End of ${label}.\n`;
}

async function turn(daemon: Daemon, agentId = 'assistant', message = 'hello') {
  const { status, events } = await streamTurn(daemon.url, agentId, { message });
  expect(status).toBe(200);
  const start = events[0]!;
  const end = events.at(-1)!;
  expect(end.event, JSON.stringify(end.data)).toBe('turn.end');
  return { text: end.data.text as string, prompts: start.data.prompts as { id: string; version: string }[] };
}

async function json(url: string) {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as any };
}

/**
 * Saves `count` versions with `save` while turns run back to back. Every turn must have run
 * with exactly one complete saved version, reported in its turn.start; after the last save the
 * next turn must use the last version.
 */
async function saveWhileTurning(daemon: Daemon, path: string, save: EditorSave, initial: string, count: number) {
  const ledger = createSaveLedger(initial);
  let running = true;
  // What each turn ran with, judged once every save is over: a turn that ran during a pause
  // can end before its save reports how long that pause really lasted.
  const ran: { text: string; prompts: { id: string; version: string }[] }[] = [];
  const turnLoop = (async () => {
    while (running) ran.push(await turn(daemon));
  })();
  let last = initial;
  for (let i = 0; i < count; i++) {
    last = promptVersion(`${Math.random().toString(36).slice(2)}-${i}`);
    ledger.saved(last);
    await save(path, last, ledger.onPause);
    await sleep(20 + Math.random() * 100);
  }
  const stretched = ledger.stretchedReport(count);
  if (stretched) console.warn(stretched);
  await expect.poll(async () => (await turn(daemon)).text, { timeout: 5_000, interval: 10 }).toBe(last);
  running = false;
  await turnLoop;
  for (const { text, prompts } of ran) {
    expect(
      ledger.allowed.has(text),
      `a turn ran with a prompt that was never a complete save (${text.length} chars, save pauses ${ledger.pauses.join(', ')} ms): ${JSON.stringify(text.slice(0, 60))}`,
    ).toBe(true);
    expect(prompts).toEqual([{ id: 'agents.assistant.prompt', version: contentVersion(text) }]);
  }
  const turns = ran.length;
  expect(turns).toBeGreaterThan(count);
}

describe('prompt files edited while turns run', { timeout: 120_000 }, () => {
  for (const [name, save] of Object.entries(editorSaves)) {
    it(`uses exactly one complete version per turn across ${name} saves, and the last one after`, async () => {
      const initial = promptVersion('initial');
      const { fixture, daemon } = await start({ 'prompts/assistant.md': initial });
      await saveWhileTurning(daemon, join(fixture.dir, 'prompts/assistant.md'), save, initial, 6);
    });
  }

  it('follows a Kubernetes ConfigMap-style ..data symlink swap', async () => {
    const initial = promptVersion('initial');
    const fixture = await createProjectFixture(project.replace('prompts/assistant.md', 'config/assistant.md'), { 'scripts/demo.yaml': script });
    cleanups.push(() => fixture.remove());
    const path = await createConfigMapFile(join(fixture.dir, 'config'), 'assistant.md', initial);
    const daemon = await startDaemon({ project: fixture.file, port: 0, logger: createLogger({ level: 'silent' }), env: {} });
    cleanups.push(() => daemon.close());
    await saveWhileTurning(daemon, path, configMapSwap, initial, 6);
  });

  it('never changes a running turn: a save mid-turn reaches the next turn', async () => {
    const { fixture, daemon, logs } = await start({ 'prompts/assistant.md': 'version one' });
    const running = turn(daemon, 'assistant', 'slow please');
    await sleep(60);
    await inPlace(join(fixture.dir, 'prompts/assistant.md'), 'version two');
    await expect.poll(() => logs.some((l) => l.msg === 'prompt.reloaded'), { timeout: 5_000 }).toBe(true);
    expect((await running).text).toBe('version one');
    expect((await turn(daemon)).text).toBe('version two');
    expect(logs.find((l) => l.msg === 'prompt.reloaded')).toMatchObject({
      id: 'agents.assistant.prompt',
      oldVersion: contentVersion('version one'),
      newVersion: contentVersion('version two'),
      path: join(fixture.dir, 'prompts/assistant.md'),
    });
  });

  it('coalesces 100 rapid saves into a few reloads; the last one wins', async () => {
    const { fixture, daemon, logs } = await start({ 'prompts/assistant.md': 'v0' });
    const path = join(fixture.dir, 'prompts/assistant.md');
    for (let i = 1; i <= 100; i++) await inPlace(path, `v${i}`);
    await expect.poll(async () => (await turn(daemon)).text, { timeout: 5_000, interval: 10 }).toBe('v100');
    await sleep(300);
    const reloads = logs.filter((l) => l.msg === 'prompt.reloaded');
    expect(reloads.length).toBeGreaterThanOrEqual(1);
    expect(reloads.length).toBeLessThanOrEqual(5);
    expect(reloads.at(-1)).toMatchObject({ newVersion: contentVersion('v100') });
  });
});

describe('broken edits keep the last good version and say why', { timeout: 60_000 }, () => {
  it('a deleted prompt file: turns keep the last version, /v1/prompts and /readyz say degraded, recreating recovers', async () => {
    const { fixture, daemon, logs } = await start({ 'prompts/assistant.md': 'the good prompt' });
    const path = join(fixture.dir, 'prompts/assistant.md');
    await rm(path);
    await expect.poll(async () => (await json(`${daemon.url}/v1/prompts`)).body.prompts[0].state, { timeout: 5_000 }).toBe('stale');
    const prompts = await json(`${daemon.url}/v1/prompts`);
    expect(prompts.body.prompts[0]).toMatchObject({
      id: 'agents.assistant.prompt',
      path,
      version: contentVersion('the good prompt'),
      error: `${fixture.file}:8:21 agents.assistant.prompt.file: ${path}: file not found; serving the last good version ${contentVersion('the good prompt')}`,
    });
    const ready = await json(`${daemon.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'degraded',
      checks: expect.arrayContaining([expect.objectContaining({ name: 'prompts', status: 'degraded' })]),
    });
    expect((await turn(daemon)).text).toBe('the good prompt');
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'prompt.stale', level: 'warn', id: 'agents.assistant.prompt' }));

    await writeFile(path, 'the fixed prompt');
    await expect.poll(async () => (await turn(daemon)).text, { timeout: 5_000 }).toBe('the fixed prompt');
    expect((await json(`${daemon.url}/readyz`)).body.status).toBe('ready');
  });

  it('a broken project file: the last good project keeps running, the error names file:line:column, fixing recovers', async () => {
    const { fixture, daemon, logs } = await start({ 'prompts/assistant.md': 'from the file' });
    await writeFile(fixture.file, project.replace('model: demo/assistant', 'model: nowhere/assistant'));
    await expect.poll(async () => (await json(`${daemon.url}/v1/prompts`)).body.project.state, { timeout: 5_000 }).toBe('stale');
    const state = (await json(`${daemon.url}/v1/prompts`)).body.project;
    expect(state.errors).toEqual([expect.stringMatching(/kaged\.yaml:7:12 agents\.assistant\.model: unknown provider "nowhere"/)]);
    const ready = await json(`${daemon.url}/readyz`);
    expect(ready).toMatchObject({ status: 200, body: { status: 'degraded' } });
    expect(ready.body.checks.find((c: { name: string }) => c.name === 'project').detail).toContain('kaged.yaml:7:12');
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'project.reload_failed', level: 'warn' }));
    expect((await turn(daemon)).text).toBe('from the file');

    await writeFile(fixture.file, `${project}\n  # a YAML syntax error follows\n  bad: [unclosed\n`);
    await expect.poll(async () => (await json(`${daemon.url}/v1/prompts`)).body.project.errors[0], { timeout: 5_000 }).toMatch(/kaged\.yaml:\d+:\d+ /);
    expect((await turn(daemon)).text).toBe('from the file');

    await writeFile(fixture.file, project.replace('prompt: { file: prompts/assistant.md }', 'prompt: "inline now"'));
    await expect.poll(async () => (await turn(daemon)).text, { timeout: 5_000 }).toBe('inline now');
    expect((await json(`${daemon.url}/v1/prompts`)).body.project).toMatchObject({ state: 'ok', errors: [] });
    expect((await json(`${daemon.url}/readyz`)).body.status).toBe('ready');
  });
});

describe('project file edits apply at the next turn', { timeout: 60_000 }, () => {
  it('adds an agent, watches newly referenced files, stops watching dropped ones, and overrides tool descriptions', async () => {
    const { fixture, daemon, logs } = await start({
      'prompts/assistant.md': 'assistant prompt',
      'more/writer.md': 'writer v1',
      'prompts/time.md': 'Tells the time, operator edition.',
    });
    const withWriter = `${project}  writer:
    model: demo/writer
    prompt: { file: more/writer.md }
    tools: [current_time]
tools:
  current_time:
    description: { file: prompts/time.md }
`;
    await writeFile(fixture.file, withWriter);
    await expect
      .poll(async () => (await json(`${daemon.url}/v1/agents`)).body.agents.map((a: { id: string }) => a.id), { timeout: 5_000 })
      .toEqual(['assistant', 'writer']);
    const first = await turn(daemon, 'writer');
    expect(first.text).toBe('writer v1');
    expect(first.prompts).toEqual([
      { id: 'agents.writer.prompt', version: contentVersion('writer v1') },
      { id: 'tools.current_time.description', version: contentVersion('Tells the time, operator edition.') },
    ]);
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'project.reloaded', agents: ['assistant', 'writer'] }));

    // The new file in a new directory is watched.
    await writeFile(join(fixture.dir, 'more/writer.md'), 'writer v2');
    await expect.poll(async () => (await turn(daemon, 'writer')).text, { timeout: 5_000 }).toBe('writer v2');

    // Dropping the writer: its file is no longer watched, its agent is gone.
    await writeFile(fixture.file, project);
    await expect.poll(async () => (await json(`${daemon.url}/v1/agents`)).body.agents.length, { timeout: 5_000 }).toBe(1);
    const reloadsBefore = logs.filter((l) => l.msg === 'prompt.reloaded').length;
    await writeFile(join(fixture.dir, 'more/writer.md'), 'writer v3');
    await sleep(400);
    expect(logs.filter((l) => l.msg === 'prompt.reloaded').length).toBe(reloadsBefore);
    expect(
      (await fetch(`${daemon.url}/v1/agents/writer/turns`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"x"}' }))
        .status,
    ).toBe(404);
  });
});
