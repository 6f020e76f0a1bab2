// `GET /v1/prompts/{promptId}/versions` gives each version's text: the store's for the version
// it serves (even before a turn used it), the one a turn ran with, from its trace, for an older
// one, and why not when redaction removed it.
import { createLogger } from '@kaged/observability';
import { afterAll, describe, expect, it } from 'vitest';
import { type Daemon, startDaemon } from '../src/daemon.js';
import { createProjectFixture, type ProjectFixture, scenarioFiles, scenarioProject } from './support/project-fixture.js';
import { streamTurn } from './support/sse.js';

interface Version {
  version: string;
  current: boolean;
  turns: number;
  text: string | null;
  textMissing: string | null;
}

const fixtures: ProjectFixture[] = [];
const daemons: Daemon[] = [];
afterAll(async () => {
  await Promise.all(daemons.map((d) => d.close()));
  await Promise.all(fixtures.map((f) => f.remove()));
});

async function start(extra = ''): Promise<{ daemon: Daemon; fixture: ProjectFixture }> {
  const fixture = await createProjectFixture(`${scenarioProject}${extra}`, scenarioFiles);
  fixtures.push(fixture);
  const daemon = await startDaemon({ project: fixture.file, port: 0, logger: createLogger({ level: 'silent' }), env: {} });
  daemons.push(daemon);
  return { daemon, fixture };
}

const versionsOf = async (daemon: Daemon, promptId = 'agents.assistant.prompt') =>
  ((await (await fetch(`${daemon.url}/v1/prompts/${promptId}/versions`)).json()) as { versions: Version[] }).versions;

/** A turn, then its trace in the local store (written about a second after the turn ends). */
async function tracedTurn(daemon: Daemon, message: string): Promise<void> {
  const turn = await streamTurn(daemon.url, 'assistant', { message });
  expect(turn.events.at(-1)!.event).toBe('turn.end');
  const traceId = turn.events[0]!.data.traceId as string;
  await expect.poll(async () => (await fetch(`${daemon.url}/v1/traces/${traceId}`)).status, { timeout: 10_000 }).toBe(200);
}

/** Saves the assistant's prompt and waits until the daemon serves the new version. */
async function edit(daemon: Daemon, fixture: ProjectFixture, text: string): Promise<void> {
  const before = (await versionsOf(daemon)).find((v) => v.current)!.version;
  await fixture.write('prompts/assistant.md', text);
  await expect.poll(async () => (await versionsOf(daemon)).find((v) => v.current)!.version, { timeout: 10_000 }).not.toBe(before);
}

describe('the text of each prompt version', () => {
  it('is the served text for the current version and the traced one for an older version', async () => {
    const { daemon, fixture } = await start();
    await tracedTurn(daemon, 'hello before the edit');
    await edit(daemon, fixture, 'You are the scenario assistant, edited.\n');

    // No turn has used the new version yet: its text comes from the store.
    const versions = await versionsOf(daemon);
    expect(versions.map((v) => ({ current: v.current, turns: v.turns, text: v.text, textMissing: v.textMissing }))).toEqual([
      { current: true, turns: 0, text: 'You are the scenario assistant, edited.\n', textMissing: null },
      { current: false, turns: 1, text: 'You are the scenario assistant.\n', textMissing: null },
    ]);
    // An inline prompt (the researcher's, in kaged.yaml) has its text too.
    const researcher = await versionsOf(daemon, 'agents.researcher.prompt');
    expect(researcher.find((v) => v.current)!.text).toBe('You research.');
  });

  it('says why an older version has none when the traces are redacted', async () => {
    const { daemon, fixture } = await start('observability:\n  redact: { inputs: true }\n');
    await tracedTurn(daemon, 'hello, redacted');
    await edit(daemon, fixture, 'You are the scenario assistant, edited again.\n');
    const old = (await versionsOf(daemon)).find((v) => !v.current)!;
    expect(old.turns).toBe(1);
    expect(old.text).toBeNull();
    expect(old.textMissing).toMatch(/redact\.inputs/);
  });
});
