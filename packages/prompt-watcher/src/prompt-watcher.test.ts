import { execFile } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createPromptWatcher, type PromptFailure, type PromptWatcher } from './prompt-watcher.js';
import type { PromptChange } from './prompt-store.js';
import { DEFAULT_REPLACED_SETTLE_MS, DEFAULT_SETTLE_MS } from './settle-time.js';
import { configMapSwap, createConfigMapFile, createSaveLedger, editorSaves, inPlace, type EditorSave } from './testing/editor-saves.js';

const execFileAsync = promisify(execFile);

const opened: { watcher?: PromptWatcher; dir: string }[] = [];
afterEach(async () => {
  for (const { watcher, dir } of opened.splice(0)) {
    await watcher?.close();
    await rm(dir, { recursive: true, force: true });
  }
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kaged-watch-'));
  opened.push({ dir });
  return dir;
}

async function watcherFor(dir: string, prompts: { id: string; file: string }[], extra: Partial<Parameters<typeof createPromptWatcher>[0]> = {}) {
  const watcher = await createPromptWatcher({ baseDir: dir, prompts, ...extra });
  opened.push({ watcher, dir: await mkdtemp(join(tmpdir(), 'kaged-watch-unused-')) });
  return watcher;
}

/** A long, multi-line prompt so that half a file is easy to tell from a whole one. */
function version(n: number): string {
  return `# Prompt version ${n}\n\n${`Line of version ${n}: be brief, be kind, be correct.\n`.repeat(40)}End of version ${n}.\n`;
}

/**
 * Saves `count` versions with `save` while sampling the served text every 2 ms. Every sample
 * must be one complete version (or the initial one); after the last save the watcher must
 * serve the last version.
 *
 * A half-written file left alone for the whole settle time is, to any watcher, a finished
 * save. On a loaded machine a save's 30 ms pause can stretch that far; only then may what the
 * file held during the pause be served (never an empty file), and the test says so.
 */
async function saveManyWhileSampling(watcher: PromptWatcher, path: string, save: EditorSave, count: number, initial: string) {
  const ledger = createSaveLedger(initial);
  const seen = new Set<string>();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const text = watcher.snapshot().get('p')!.text;
      seen.add(text);
      await sleep(2);
    }
  })();
  let last = initial;
  for (let i = 1; i <= count; i++) {
    last = version(Math.floor(Math.random() * 1e9));
    ledger.saved(last);
    await save(path, last, ledger.onPause);
    await sleep(Math.random() * 120);
  }
  const stretched = ledger.stretchedReport(count);
  if (stretched) console.warn(stretched);
  await expect.poll(() => watcher.snapshot().get('p')!.text, { timeout: 5_000, interval: 5 }).toBe(last);
  sampling = false;
  await sampler;
  for (const text of seen)
    expect(ledger.allowed.has(text), `served a text that was never a complete save: ${JSON.stringify(text.slice(0, 80))}… (${text.length} chars)`).toBe(true);
  return seen;
}

describe('createPromptWatcher: how editors save', { timeout: 60_000 }, () => {
  for (const [name, save] of Object.entries(editorSaves)) {
    it(`follows ${name} saves, never serving an empty or partial prompt`, async () => {
      const dir = await tempDir();
      const path = join(dir, 'prompt.md');
      const initial = version(0);
      await writeFile(path, initial);
      const watcher = await watcherFor(dir, [{ id: 'p', file: 'prompt.md' }]);
      await saveManyWhileSampling(watcher, path, save, 8, initial);
      expect(watcher.status()).toEqual([expect.objectContaining({ id: 'p', state: 'ok', error: null })]);
    });
  }

  it('follows a Kubernetes ConfigMap ..data symlink swap', async () => {
    const dir = await tempDir();
    const initial = version(0);
    const path = await createConfigMapFile(join(dir, 'prompts'), 'prompt.md', initial);
    const watcher = await watcherFor(dir, [{ id: 'p', file: 'prompts/prompt.md' }]);
    await saveManyWhileSampling(watcher, path, configMapSwap, 8, initial);
  });

  it('publishes a git checkout that changes files in two directories as one snapshot', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'agents'));
    await mkdir(join(dir, 'tools'));
    const git = (...args: string[]) =>
      execFileAsync('git', ['-c', 'user.name=kaged test', '-c', 'user.email=test@kaged.invalid', '-c', 'init.defaultBranch=one', ...args], { cwd: dir });
    const files = { a: join(dir, 'agents/a.md'), b: join(dir, 'tools/b.md') };
    const branch = (n: number, id: string) => `${version(n)}(${id})\n`;
    await git('init', '-q');
    for (const [n, name] of [
      [1, 'one'],
      [2, 'two'],
    ] as const) {
      if (n === 2) await git('checkout', '-q', '-b', name);
      await writeFile(files.a, branch(n, 'a'));
      await writeFile(files.b, branch(n, 'b'));
      await git('add', '.');
      await git('commit', '-q', '-m', name);
    }
    const watcher = await watcherFor(dir, [
      { id: 'a', file: 'agents/a.md' },
      { id: 'b', file: 'tools/b.md' },
    ]);
    const mixed: string[] = [];
    const seen = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const snapshot = watcher.snapshot();
        const a = snapshot.get('a')!.text.match(/version (\d+)/)![1];
        const b = snapshot.get('b')!.text.match(/version (\d+)/)![1];
        seen.add(a!);
        if (a !== b) mixed.push(`a@${a} b@${b}`);
        await sleep(1);
      }
    })();
    for (let i = 0; i < 6; i++) {
      const target = i % 2 === 0 ? 1 : 2;
      await git('checkout', '-q', target === 1 ? 'one' : 'two');
      await expect.poll(() => watcher.snapshot().get('b')!.text, { timeout: 5_000, interval: 2 }).toBe(branch(target, 'b'));
      await sleep(50);
    }
    sampling = false;
    await sampler;
    expect(mixed, 'snapshots that mixed two checkouts').toEqual([]);
    expect(seen).toEqual(new Set(['1', '2']));
    expect(watcher.snapshot().get('a')!.text).toBe(branch(2, 'a'));
  });

  it('serves a save at the next snapshot even while the event loop is blocked', async () => {
    const dir = await tempDir();
    const path = join(dir, 'prompt.md');
    await writeFile(path, version(0));
    const watcher = await watcherFor(dir, [{ id: 'p', file: 'prompt.md' }]);
    // Everything below is one synchronous run: no event, no timer, no callback gets in, as on
    // a daemon whose loop is busy with turns. Only the snapshot's own look at the disk can help.
    const spin = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    writeFileSync(`${path}.tmp`, version(1));
    renameSync(`${path}.tmp`, path);
    spin(DEFAULT_REPLACED_SETTLE_MS + 10);
    expect(watcher.snapshot().get('p')!.text, 'an atomic save, after the short settle time').toBe(version(1));
    writeFileSync(path, version(2));
    spin(5);
    expect(watcher.snapshot().get('p')!.text, 'an in-place save, within the settle time: maybe not whole yet').toBe(version(1));
    spin(DEFAULT_SETTLE_MS + 10);
    expect(watcher.snapshot().get('p')!.text, 'the in-place save, once quiet').toBe(version(2));
  });

  it('coalesces 100 rapid saves into a few reloads, and the last one wins', async () => {
    const dir = await tempDir();
    const path = join(dir, 'prompt.md');
    await writeFile(path, version(0));
    const reloads: PromptChange[] = [];
    const watcher = await watcherFor(dir, [{ id: 'p', file: 'prompt.md' }], { onPromptsChanged: (changes) => reloads.push(...changes) });
    for (let i = 1; i <= 100; i++) await inPlace(path, version(i));
    await expect.poll(() => watcher.snapshot().get('p')!.text, { timeout: 5_000, interval: 5 }).toBe(version(100));
    await sleep(300);
    expect(watcher.snapshot().get('p')!.text).toBe(version(100));
    expect(reloads.length).toBeGreaterThanOrEqual(1);
    expect(reloads.length).toBeLessThanOrEqual(5);
  });

  it('keeps the last good version while a file is deleted, says why, and recovers', async () => {
    const dir = await tempDir();
    const path = join(dir, 'prompt.md');
    await writeFile(path, 'first');
    const warnings: string[] = [];
    const infos: string[] = [];
    const failures: PromptFailure[] = [];
    const watcher = await watcherFor(dir, [{ id: 'p', file: 'prompt.md' }], {
      logger: { info: (_fields, message) => infos.push(message), warn: (fields, message) => warnings.push(`${message} ${String(fields.reason)}`) },
      onPromptsFailed: (failed) => failures.push(...failed),
    });
    await rm(path);
    await expect.poll(() => watcher.status()[0]!.state, { timeout: 5_000 }).toBe('stale');
    expect(watcher.snapshot().get('p')!.text).toBe('first');
    expect(warnings).toEqual([expect.stringMatching(/^prompt\.stale .*prompt\.md: file not found; serving the last good version/)]);
    expect(failures).toEqual([{ id: 'p', path, reason: expect.stringMatching(/file not found/) }]);
    await writeFile(path, 'second');
    await expect.poll(() => watcher.snapshot().get('p')!.text, { timeout: 5_000 }).toBe('second');
    expect(watcher.status()[0]!.state).toBe('ok');
    expect(infos).toEqual(expect.arrayContaining(['prompt.recovered', 'prompt.reloaded']));
  });

  it('reports changes to extra watched files, and follows a changed prompt set', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.md'), 'A');
    await writeFile(join(dir, 'project.yaml'), 'v: 1');
    const changedFiles: string[][] = [];
    const watcher = await watcherFor(dir, [{ id: 'a', file: 'a.md' }], {
      watchFiles: ['project.yaml'],
      onFilesChanged: (files) => void changedFiles.push(files),
    });

    await writeFile(join(dir, 'project.yaml'), 'v: 2');
    await expect.poll(() => changedFiles, { timeout: 5_000 }).toEqual([[join(dir, 'project.yaml')]]);

    // A prompt in a new directory starts being watched; the dropped one stops.
    const sub = join(dir, 'sub');
    await import('node:fs/promises').then((fs) => fs.mkdir(sub));
    await writeFile(join(sub, 'b.md'), 'B');
    await watcher.setPrompts([{ id: 'b', file: 'sub/b.md' }]);
    expect(watcher.watchedDirectories().sort()).toEqual([dir, sub].sort());
    await writeFile(join(sub, 'b.md'), 'B2');
    await expect.poll(() => watcher.snapshot().get('b')?.text, { timeout: 5_000 }).toBe('B2');
    const before = watcher.snapshot();
    await writeFile(join(dir, 'a.md'), 'A2');
    await sleep(300);
    expect(watcher.snapshot()).toBe(before);
    expect(watcher.snapshot().get('a')).toBeUndefined();
  });
});
