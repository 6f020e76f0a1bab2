import { renameSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PromptLoadError } from './errors/prompt-load-error.js';
import { createPromptStore, type PromptStore } from './prompt-store.js';

/** Re-reads every file and returns the snapshot that is current afterwards. */
async function reload(store: PromptStore) {
  await store.refresh();
  return store.snapshot();
}

// sha256("You are helpful.") and sha256("You are terse.") truncated to 12 hex digits.
const HELPFUL = 'You are helpful.';
const HELPFUL_VERSION = '42ea835592c2';
const TERSE = 'You are terse.';
const TERSE_VERSION = '97dd3b604bbd';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kaged-prompt-store-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('createPromptStore: loading', () => {
  it('loads file prompts and inline prompts in definition order', async () => {
    await writeFile(join(dir, 'assistant.md'), HELPFUL);
    const store = await createPromptStore({
      baseDir: dir,
      prompts: [
        { id: 'agents.assistant.prompt', file: 'assistant.md' },
        { id: 'agents.researcher.prompt', text: TERSE },
      ],
    });
    const snapshot = store.snapshot();
    expect(snapshot.prompts.map((p) => p.id)).toEqual(['agents.assistant.prompt', 'agents.researcher.prompt']);

    const file = snapshot.get('agents.assistant.prompt')!;
    expect(file).toMatchObject({ id: 'agents.assistant.prompt', text: HELPFUL, version: HELPFUL_VERSION, path: join(dir, 'assistant.md') });
    expect(file.loadedAt).toBeInstanceOf(Date);

    const inline = snapshot.get('agents.researcher.prompt')!;
    expect(inline).toMatchObject({ id: 'agents.researcher.prompt', text: TERSE, version: TERSE_VERSION, path: null });
    expect(snapshot.get('missing')).toBeUndefined();
  });

  it('reads files as UTF-8 verbatim, keeping whitespace and newlines', async () => {
    const text = '  Grüße — 你好 🎉\n\nline three\n';
    await writeFile(join(dir, 'u.txt'), text, 'utf8');
    const store = await createPromptStore({ baseDir: dir, prompts: [{ id: 'u', file: 'u.txt' }] });
    expect(store.snapshot().get('u')!.text).toBe(text);
  });

  it('resolves relative paths against baseDir and keeps absolute paths as they are', async () => {
    await mkdir(join(dir, 'prompts'));
    await writeFile(join(dir, 'prompts', 'a.md'), 'A');
    const elsewhere = await mkdtemp(join(tmpdir(), 'kaged-prompt-abs-'));
    try {
      await writeFile(join(elsewhere, 'b.md'), 'B');
      const store = await createPromptStore({
        baseDir: dir,
        prompts: [
          { id: 'a', file: './prompts/a.md' },
          { id: 'b', file: join(elsewhere, 'b.md') },
          { id: 'a-again', file: 'prompts/../prompts/a.md' },
        ],
      });
      const snapshot = store.snapshot();
      expect(snapshot.get('a')).toMatchObject({ text: 'A', path: join(dir, 'prompts', 'a.md') });
      expect(snapshot.get('b')).toMatchObject({ text: 'B', path: join(elsewhere, 'b.md') });
      expect(snapshot.get('a-again')).toMatchObject({ text: 'A', path: join(dir, 'prompts', 'a.md') });
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('resolves relative paths against the working directory when baseDir is omitted', async () => {
    await writeFile(join(dir, 'cwd.md'), 'from cwd');
    const fromCwd = relative(process.cwd(), join(dir, 'cwd.md'));
    const store = await createPromptStore({ prompts: [{ id: 'c', file: fromCwd }] });
    expect(store.snapshot().get('c')).toMatchObject({ text: 'from cwd', path: join(dir, 'cwd.md') });
  });

  it('gives 12-hex-digit content versions, equal for equal texts whatever their source', async () => {
    await writeFile(join(dir, 'one.md'), HELPFUL);
    await writeFile(join(dir, 'two.md'), HELPFUL);
    await writeFile(join(dir, 'three.md'), TERSE);
    const store = await createPromptStore({
      baseDir: dir,
      prompts: [
        { id: 'one', file: 'one.md' },
        { id: 'two', file: 'two.md' },
        { id: 'inline', text: HELPFUL },
        { id: 'three', file: 'three.md' },
        { id: 'empty', text: '' },
      ],
    });
    const versions = store.snapshot().prompts.map((p) => p.version);
    for (const version of versions) expect(version).toMatch(/^[0-9a-f]{12}$/);
    expect(versions).toEqual([HELPFUL_VERSION, HELPFUL_VERSION, HELPFUL_VERSION, TERSE_VERSION, 'e3b0c44298fc']);
  });

  it('gives a 12-hex-digit snapshot version that is equal for equal prompt sets', async () => {
    await writeFile(join(dir, 'a.md'), HELPFUL);
    const first = await createPromptStore({ baseDir: dir, prompts: [{ id: 'a', file: 'a.md' }] });
    const second = await createPromptStore({ baseDir: dir, prompts: [{ id: 'a', text: HELPFUL }] });
    const renamed = await createPromptStore({ baseDir: dir, prompts: [{ id: 'b', text: HELPFUL }] });
    expect(first.snapshot().version).toMatch(/^[0-9a-f]{12}$/);
    expect(second.snapshot().version).toBe(first.snapshot().version);
    // The id is part of the snapshot version: the same text under another id is another set.
    expect(renamed.snapshot().version).not.toBe(first.snapshot().version);
  });
});

describe('createPromptStore: snapshots and reload', () => {
  it('returns the same snapshot object until reload', async () => {
    const store = await createPromptStore({ baseDir: dir, prompts: [{ id: 'a', text: 'x' }] });
    expect(store.snapshot()).toBe(store.snapshot());
  });

  it('hands out frozen snapshots, prompt lists and prompts', async () => {
    await writeFile(join(dir, 'a.md'), HELPFUL);
    const store = await createPromptStore({ baseDir: dir, prompts: [{ id: 'a', file: 'a.md' }] });
    const snapshot = store.snapshot();
    const prompt = snapshot.get('a')!;
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(snapshot.prompts)).toBe(true);
    expect(Object.isFrozen(prompt)).toBe(true);
    // ESM is strict mode: writes to frozen objects throw.
    expect(() => {
      (snapshot as { version: string }).version = 'hacked';
    }).toThrow(TypeError);
    expect(() => {
      (snapshot.prompts as unknown as unknown[]).push({});
    }).toThrow(TypeError);
    expect(() => {
      (prompt as { text: string }).text = 'hacked';
    }).toThrow(TypeError);
    expect(snapshot.get('a')!.text).toBe(HELPFUL);
    expect(snapshot.prompts).toHaveLength(1);
  });

  it('after a file edit, reload returns a new snapshot while the old one keeps the old text and version', async () => {
    await writeFile(join(dir, 'a.md'), HELPFUL);
    const store = await createPromptStore({
      baseDir: dir,
      prompts: [
        { id: 'a', file: 'a.md' },
        { id: 'b', text: 'inline' },
      ],
    });
    const before = store.snapshot();
    const beforeVersion = before.version;

    await writeFile(join(dir, 'a.md'), TERSE);
    // A snapshot never looks at the disk again.
    expect(before.get('a')!.text).toBe(HELPFUL);

    const after = await reload(store);
    expect(after).not.toBe(before);
    expect(store.snapshot()).toBe(after);
    expect(after.get('a')).toMatchObject({ text: TERSE, version: TERSE_VERSION });
    expect(after.version).not.toBe(beforeVersion);

    expect(before.get('a')).toMatchObject({ text: HELPFUL, version: HELPFUL_VERSION });
    expect(before.version).toBe(beforeVersion);
    expect(before.prompts.map((p) => p.text)).toEqual([HELPFUL, 'inline']);
  });

  it('keeps an unchanged prompt (and its loadedAt) across reloads, and stamps a changed one anew', async () => {
    await writeFile(join(dir, 'same.md'), HELPFUL);
    await writeFile(join(dir, 'edited.md'), HELPFUL);
    const store = await createPromptStore({
      baseDir: dir,
      prompts: [
        { id: 'same', file: 'same.md' },
        { id: 'edited', file: 'edited.md' },
      ],
    });
    const before = store.snapshot();
    const sameBefore = before.get('same')!;
    const editedBefore = before.get('edited')!;

    await sleep(15); // so that a fresh loadedAt would differ
    await writeFile(join(dir, 'edited.md'), TERSE);
    await writeFile(join(dir, 'same.md'), HELPFUL); // rewritten, same content
    const after = await reload(store);

    expect(after.get('same')).toBe(sameBefore);
    expect(after.get('same')!.loadedAt.getTime()).toBe(sameBefore.loadedAt.getTime());
    const editedAfter = after.get('edited')!;
    expect(editedAfter).not.toBe(editedBefore);
    expect(editedAfter.loadedAt.getTime()).toBeGreaterThan(editedBefore.loadedAt.getTime());
    expect(editedBefore.loadedAt.getTime()).toBe(sameBefore.loadedAt.getTime());
  });

  it('changes the snapshot version iff a prompt changed, and returns to it when the text is reverted', async () => {
    await writeFile(join(dir, 'a.md'), HELPFUL);
    await writeFile(join(dir, 'b.md'), 'B');
    const store = await createPromptStore({
      baseDir: dir,
      prompts: [
        { id: 'a', file: 'a.md' },
        { id: 'b', file: 'b.md' },
      ],
    });
    const v1 = store.snapshot().version;

    const unchanged = await reload(store);
    expect(unchanged.version).toBe(v1);

    await writeFile(join(dir, 'b.md'), 'B2');
    const v2 = (await reload(store)).version;
    expect(v2).not.toBe(v1);

    expect((await reload(store)).version).toBe(v2);

    await writeFile(join(dir, 'b.md'), 'B');
    expect((await reload(store)).version).toBe(v1);
  });
});

describe('createPromptStore: errors', () => {
  it('rejects creation with PromptLoadError naming the prompt and the absolute path of a missing file', async () => {
    const error = await caught(
      createPromptStore({
        baseDir: dir,
        prompts: [
          { id: 'ok', text: 'x' },
          { id: 'agents.assistant.prompt', file: 'nope.md' },
        ],
      }),
    );
    expect(error).toBeInstanceOf(PromptLoadError);
    expect(PromptLoadError.isInstance(error)).toBe(true);
    const e = error as PromptLoadError;
    const path = join(dir, 'nope.md');
    expect(e.code).toBe('prompt_unreadable');
    expect(e.name).toBe('PromptLoadError');
    expect(e.promptId).toBe('agents.assistant.prompt');
    expect(e.path).toBe(path);
    expect(e.message).toBe(`agents.assistant.prompt: cannot read prompt file ${path}: file not found`);
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('reports the system error for a path that is not a readable file', async () => {
    await mkdir(join(dir, 'folder.md'));
    const error = await caught(createPromptStore({ baseDir: dir, prompts: [{ id: 'p', file: 'folder.md' }] }));
    expect(PromptLoadError.isInstance(error)).toBe(true);
    const e = error as PromptLoadError;
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOTREG');
    expect(e.message).toBe(`p: cannot read prompt file ${join(dir, 'folder.md')}: not a regular file (a directory)`);
  });

  it('keeps the last good version of a broken file, marks it stale with the reason, and recovers', async () => {
    await writeFile(join(dir, 'a.md'), HELPFUL);
    await writeFile(join(dir, 'b.md'), 'B');
    const store = await createPromptStore({
      baseDir: dir,
      prompts: [
        { id: 'a', file: 'a.md' },
        { id: 'b', file: 'b.md' },
      ],
    });
    const bVersion = store.snapshot().get('b')!.version;

    await writeFile(join(dir, 'a.md'), TERSE); // a good edit applies, whatever happens to b
    await unlink(join(dir, 'b.md'));
    const { changes } = await store.refresh();
    expect(changes).toEqual([{ id: 'a', path: join(dir, 'a.md'), oldVersion: HELPFUL_VERSION, newVersion: TERSE_VERSION }]);
    expect(store.snapshot().prompts.map((p) => p.text)).toEqual([TERSE, 'B']);
    expect(store.status().find((p) => p.id === 'b')).toMatchObject({
      state: 'stale',
      version: bVersion,
      error: `${join(dir, 'b.md')}: file not found; serving the last good version ${bVersion}`,
    });

    await writeFile(join(dir, 'b.md'), ''); // an editor between truncate and write
    await store.refresh();
    expect(store.snapshot().get('b')!.text).toBe('B');
    expect(store.status().find((p) => p.id === 'b')!.error).toContain('file is empty');

    await writeFile(join(dir, 'b.md'), 'B again');
    const after = await reload(store);
    expect(after.prompts.map((p) => p.text)).toEqual([TERSE, 'B again']);
    expect(store.status().map((p) => p.state)).toEqual(['ok', 'ok']);
  });

  it('rejects an empty prompt file at creation', async () => {
    await writeFile(join(dir, 'empty.md'), '  \n');
    const error = await caught(createPromptStore({ baseDir: dir, prompts: [{ id: 'e', file: 'empty.md' }] }));
    expect(error).toMatchObject({ code: 'prompt_unreadable', message: `e: cannot read prompt file ${join(dir, 'empty.md')}: file is empty` });
  });

  it('replaces the prompt set: new prompts must load, unchanged ones keep their state', async () => {
    await writeFile(join(dir, 'a.md'), HELPFUL);
    await writeFile(join(dir, 'c.md'), TERSE);
    const store = await createPromptStore({
      baseDir: dir,
      prompts: [
        { id: 'a', file: 'a.md' },
        { id: 'b', text: 'inline' },
      ],
    });
    const a = store.snapshot().get('a');

    const error = await caught(
      store.setPrompts([
        { id: 'a', file: 'a.md' },
        { id: 'x', file: 'missing.md' },
      ]),
    );
    expect(error).toMatchObject({ code: 'prompt_unreadable', promptId: 'x' });
    expect(store.snapshot().prompts.map((p) => p.id)).toEqual(['a', 'b']);

    const changes = await store.setPrompts([
      { id: 'a', file: 'a.md' },
      { id: 'b', text: 'new inline' },
      { id: 'c', file: 'c.md' },
    ]);
    expect(changes.map((c) => [c.id, c.oldVersion === null])).toEqual([
      ['b', false],
      ['c', true],
    ]);
    expect(store.snapshot().get('a')).toBe(a);
    expect(store.snapshot().get('c')!.text).toBe(TERSE);
    expect(store.files()).toEqual([join(dir, 'a.md'), join(dir, 'c.md')]);

    await store.setPrompts([{ id: 'c', file: 'c.md' }]);
    expect(store.snapshot().prompts.map((p) => p.id)).toEqual(['c']);
  });

  it('PromptLoadError.isInstance is false for other errors', () => {
    expect(PromptLoadError.isInstance(new Error('x'))).toBe(false);
    expect(PromptLoadError.isInstance({ code: 'prompt_unreadable' })).toBe(false);
    expect(PromptLoadError.isInstance(Object.assign(new Error('x'), { [Symbol.for('kaged.error')]: true, code: 'other' }))).toBe(false);
    expect(PromptLoadError.isInstance(undefined)).toBe(false);
  });
});

describe('createPromptStore: pull()', () => {
  /** Sets a file's modification time `ms` into the past, as if written then. */
  const age = (path: string, ms: number) => utimesSync(path, new Date(), new Date(Date.now() - ms));

  it('reads nothing while no file changed, and a changed file at once when asked for no settling', async () => {
    const path = join(dir, 'p.md');
    await writeFile(path, HELPFUL);
    const store = await createPromptStore({ baseDir: dir, prompts: [{ id: 'p', file: 'p.md' }] });
    expect(store.pull()).toEqual({ changes: [], read: [] });
    writeFileSync(path, TERSE);
    expect(store.pull()).toEqual({ changes: [{ id: 'p', path, oldVersion: HELPFUL_VERSION, newVersion: TERSE_VERSION }], read: [path] });
    expect(store.snapshot().get('p')!.text).toBe(TERSE);
    expect(store.pull()).toEqual({ changes: [], read: [] });
  });

  it('holds an in-place write back until the file has been quiet for settleMs by its own clock', async () => {
    const path = join(dir, 'p.md');
    await writeFile(path, HELPFUL);
    const store = await createPromptStore({ baseDir: dir, prompts: [{ id: 'p', file: 'p.md' }] });
    writeFileSync(path, TERSE);
    const held = store.pull({ settleMs: 10_000, replacedSettleMs: 0 });
    expect(held.read).toEqual([]);
    expect(held.waitMs).toBeGreaterThan(9_000);
    expect(store.snapshot().get('p')!.text).toBe(HELPFUL);
    // utimes moves ctime to now: a touched file is a written one, so the wait starts again.
    age(path, 20_000);
    expect(store.pull({ settleMs: 10_000 }).read).toEqual([]);
  });

  it('reads a file replaced by rename after replacedSettleMs, not settleMs', async () => {
    const path = join(dir, 'p.md');
    await writeFile(path, HELPFUL);
    const store = await createPromptStore({ baseDir: dir, prompts: [{ id: 'p', file: 'p.md' }] });
    writeFileSync(`${path}.tmp`, TERSE);
    renameSync(`${path}.tmp`, path);
    const held = store.pull({ settleMs: 10_000, replacedSettleMs: 30 });
    expect(held.waitMs).toBeGreaterThan(0);
    expect(held.waitMs).toBeLessThanOrEqual(30);
    await sleep(held.waitMs! + 5);
    expect(store.pull({ settleMs: 10_000, replacedSettleMs: 30 }).changes).toEqual([expect.objectContaining({ newVersion: TERSE_VERSION })]);
  });

  it('publishes two changed files together or not at all', async () => {
    const a = join(dir, 'a.md');
    const b = join(dir, 'b.md');
    await writeFile(a, 'A1');
    await writeFile(b, 'B1');
    const store = await createPromptStore({
      baseDir: dir,
      prompts: [
        { id: 'a', file: 'a.md' },
        { id: 'b', file: 'b.md' },
      ],
    });
    writeFileSync(`${a}.tmp`, 'A2');
    renameSync(`${a}.tmp`, a);
    await sleep(40);
    writeFileSync(b, 'B2');
    // a is quiet enough (replaced 40 ms ago), b is not (written in place just now): neither.
    expect(store.pull({ settleMs: 60_000, replacedSettleMs: 20 })).toMatchObject({ read: [], changes: [] });
    expect(store.snapshot().get('a')!.text).toBe('A1');
    expect(store.pull({ settleMs: 0 }).changes.map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('reads a file again when asked to (force), even if its stat is unchanged', async () => {
    const path = join(dir, 'p.md');
    await writeFile(path, HELPFUL);
    const store = await createPromptStore({ baseDir: dir, prompts: [{ id: 'p', file: 'p.md' }] });
    expect(store.pull({ force: [path] })).toEqual({ changes: [], read: [path] });
  });
});
