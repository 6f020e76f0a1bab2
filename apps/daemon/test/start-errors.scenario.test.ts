import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@kaged/observability';
import { afterAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { createProjectFixture, scenarioFiles, scenarioProject, type ProjectFixture } from './support/project-fixture.js';

// Issue 16, item 8: a bad data directory or kaged.db is a start error naming the path and what
// to do (not `unexpected error` with a stack, nor a silently new store); a lone surrogate in
// `userId` is a 400 naming the field.

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

let fixture: ProjectFixture;
async function projectFixture(): Promise<ProjectFixture> {
  fixture ??= await createProjectFixture(scenarioProject, scenarioFiles);
  cleanups.push(() => fixture.remove());
  return fixture;
}

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kaged-data-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function start(dir: string): Promise<Daemon> {
  const daemon = await startDaemon({ project: (await projectFixture()).file, port: 0, dataDir: dir, logger: createLogger({ level: 'silent' }), env: {} });
  cleanups.push(() => daemon.close());
  return daemon;
}

describe('start-up errors about the data directory', { timeout: 60_000 }, () => {
  it('refuses a 0-byte kaged.db instead of silently starting a new store', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, 'kaged.db'), '');
    await expect(start(dir)).rejects.toMatchObject({
      code: 'store_unusable',
      message: `session store ${join(dir, 'kaged.db')}: it is empty (0 bytes), not a database (a truncated or interrupted copy). Restore it from a backup, or move it away to start with an empty store`,
    });
  });

  it('refuses a kaged.db that is not a SQLite database', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, 'kaged.db'), 'this is not a database, just some text long enough');
    await expect(start(dir)).rejects.toMatchObject({
      code: 'store_unusable',
      message: expect.stringContaining(`session store ${join(dir, 'kaged.db')}: it is not a SQLite database`),
    });
  });

  it('refuses a data directory that is a file, or under one, naming it and the options', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, 'plain'), 'x');
    await expect(start(join(dir, 'plain'))).rejects.toMatchObject({
      code: 'data_dir_unusable',
      message: `data directory ${join(dir, 'plain')}: it is not a directory. Fix it, or pass another one with --data-dir or KAGED_DATA_DIR`,
    });
    await expect(start(join(dir, 'plain', 'sub'))).rejects.toMatchObject({
      code: 'data_dir_unusable',
      message: expect.stringContaining(`data directory ${join(dir, 'plain', 'sub')}: cannot create it: a parent of the path is not a directory`),
    });
  });

  it('reopens its own kaged.db, and answers a lone surrogate in userId with a 400 naming the field', async () => {
    const dir = await dataDir();
    await (await start(dir)).close();
    const daemon = await start(dir);
    const response = await fetch(`${daemon.url}/v1/agents/assistant/turns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hi', userId: 'user-\uD800' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'invalid_request', field: 'userId', message: 'userId: must be well-formed Unicode (it contains a lone surrogate)' },
    });
    const ok = await fetch(`${daemon.url}/v1/agents/assistant/turns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hi', userId: 'user-😀' }),
    });
    expect(ok.status).toBe(200);
    await ok.text();
  });
});
