import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@kaged/observability';
import { tempThenRename } from '@kaged/prompt-watcher/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { KagedDaemonError } from '../src/errors/kaged-daemon-error.js';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { createProjectFixture, scenarioFiles, scenarioProject } from './support/project-fixture.js';
import { streamTurn } from './support/sse.js';

// Holds the daemon mid-start-up: once armed, the next session store to open waits at `init()`
// until the test lets it go. The project file is watched by then (old and new code alike), but the
// harness does not exist yet: exactly the window of the start-up hazard.
const gate = vi.hoisted(() => {
  let reach!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((done) => (reach = done));
  const released = new Promise<void>((done) => (release = done));
  let armed = false;
  return {
    reached,
    arm: () => (armed = true),
    release: () => release(),
    async hold() {
      if (!armed) return;
      armed = false;
      reach();
      await released;
    },
  };
});

vi.mock('@mastra/libsql', async (importOriginal) => {
  const real = await importOriginal<typeof import('@mastra/libsql')>();
  class GatedLibSQLStore extends real.LibSQLStore {
    override async init(): Promise<void> {
      await gate.hold();
      return super.init();
    }
  }
  return { ...real, LibSQLStore: GatedLibSQLStore };
});

interface LogLine {
  msg: string;
  level: string;
  [field: string]: unknown;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  gate.release();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The scenario project with one more agent, as an operator would add it. */
const withHelper = `${scenarioProject}  helper:
    description: Added while the daemon was starting.
    model: demo/researcher
    prompt: "You help."
`;

async function until(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

describe('a project-file edit while the daemon is starting', () => {
  it('is applied: the daemon comes up serving the edited project, with no crash', async () => {
    const fixture = await createProjectFixture(scenarioProject, scenarioFiles);
    cleanups.push(() => fixture.remove());
    const logs: LogLine[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) } });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    cleanups.push(async () => process.off('unhandledRejection', onUnhandled));

    gate.arm();
    const starting = startDaemon({ project: fixture.file, port: 0, logger, env: {} });
    // Whatever happens, the daemon is closed at the end; a start-up failure is asserted below.
    cleanups.push(() => starting.then((daemon) => daemon.close()).catch(() => {}));

    await gate.reached;
    // Saved the way most editors save: a temp file renamed over kaged.yaml.
    await tempThenRename(fixture.file, withHelper);
    // The old start-up order failed here: the reload reached a harness not yet built (a
    // ReferenceError, reported as prompt.watch_failed) and the edit was lost.
    const settled = ['project.reloaded', 'project.reload_failed', 'prompt.watch_failed'];
    await until('the reload of the edited project', () => logs.some((l) => settled.includes(l.msg)) || unhandled.length > 0);
    gate.release();

    const daemon: Daemon = await starting;
    expect(unhandled).toEqual([]);
    expect(logs.filter((l) => l.msg === 'project.reload_failed' || l.msg === 'prompt.watch_failed')).toEqual([]);
    expect(daemon.project.agents.map((a) => a.id)).toEqual(['assistant', 'researcher', 'helper']);

    const agents = (await (await fetch(`${daemon.url}/v1/agents`)).json()) as { agents: { id: string; description?: string }[] };
    expect(agents.agents.map((a) => a.id)).toEqual(['assistant', 'researcher', 'helper']);
    expect(agents.agents.find((a) => a.id === 'helper')?.description).toBe('Added while the daemon was starting.');

    const { status, events } = await streamTurn(daemon.url, 'helper', { message: 'hello' });
    expect(status).toBe(200);
    expect(events.at(-1)?.event, JSON.stringify(events.at(-1)?.data)).toBe('turn.end');
    expect(events.at(-1)?.data.text).toBe('the facts');

    // The daemon keeps following edits once it is up.
    await tempThenRename(fixture.file, scenarioProject);
    await until('the second reload', () => logs.filter((l) => l.msg === 'project.reloaded').length >= 2);
    const after = (await (await fetch(`${daemon.url}/v1/agents`)).json()) as { agents: { id: string }[] };
    expect(after.agents.map((a) => a.id)).toEqual(['assistant', 'researcher']);
    expect(logs.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
  });
});

describe('a daemon that cannot start', () => {
  it('closes what it had opened: it stops watching the project', async () => {
    const fixture = await createProjectFixture(scenarioProject, scenarioFiles);
    cleanups.push(() => fixture.remove());
    const first = await startDaemon({ project: fixture.file, port: 0, logger: createLogger({ level: 'silent' }), env: {} });
    cleanups.push(() => first.close());

    const logs: LogLine[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) } });
    const error = await startDaemon({ project: fixture.file, port: first.port, logger, env: {}, dataDir: `${fixture.dir}/.kaged-second` }).catch(
      (e: unknown) => e,
    );
    expect(KagedDaemonError.isInstance(error) && error.code).toBe('listen_failed');

    await tempThenRename(fixture.file, withHelper);
    await until('the running daemon to reload', () => first.project.agents.some((a) => a.id === 'helper'));
    await sleep(300);
    expect(logs.filter((l) => l.msg.startsWith('project.') || l.msg.startsWith('prompt.'))).toEqual([]);
  });
});
