import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@kaged/observability';
import { afterEach, describe, expect, it } from 'vitest';
import { createProjectFixture, scenarioFiles, scenarioProject, type ProjectFixture } from '../../test/support/project-fixture.js';
import { loadProject } from '../project/load-project.js';
import { openStorage } from './storage.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The mappings of `file` in this process: SQLite's memory-mapped reads show up here. */
function mappingsOf(file: string): string[] {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((line) => line.endsWith(` ${file}`));
}

async function storageWith(storageYaml: string) {
  const fixture: ProjectFixture = await createProjectFixture(`${scenarioProject}${storageYaml}`, scenarioFiles);
  cleanups.push(() => fixture.remove());
  const dataDir = await mkdtemp(join(tmpdir(), 'kaged-storage-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const project = await loadProject(fixture.file, { env: {} });
  const storage = await openStorage(project, dataDir, createLogger({ level: 'silent' }));
  cleanups.push(() => storage.close());
  // Enough reads and writes for SQLite to touch the file's pages.
  await storage.memory.createThread({ resourceId: 'r', threadId: 't', title: 'x'.repeat(20_000) });
  await storage.memory.getThreadById({ threadId: 't' });
  return { project, file: join(dataDir, 'kaged.db') };
}

describe('the LibSQL store’s memory settings (storage.cacheMb, storage.mmapMb)', () => {
  it('reads the database through the kernel by default, not a map that grows the daemon’s resident memory', async () => {
    const { project, file } = await storageWith('');
    expect(project.storage).toEqual({ type: 'libsql', cacheMb: 16, mmapMb: 0 });
    expect(mappingsOf(file)).toEqual([]);
  });

  it('maps the file when mmapMb asks for it', async () => {
    const { file } = await storageWith('storage: { type: libsql, mmapMb: 8, cacheMb: 4 }\n');
    expect(mappingsOf(file).length).toBeGreaterThan(0);
  });
});
