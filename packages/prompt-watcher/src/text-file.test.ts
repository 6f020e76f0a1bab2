import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PromptLoadError } from './errors/prompt-load-error.js';
import { createPromptStore, readPromptFile } from './prompt-store.js';
import { DEFAULT_PROMPT_MAX_BYTES, readTextFile, readTextFileSync } from './text-file.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kaged-text-file-'));
  execFileSync('mkfifo', [join(dir, 'fifo.md')]);
  await mkdir(join(dir, 'folder.md'));
  await symlink('/dev/zero', join(dir, 'zero.md'));
  await writeFile(join(dir, 'binary.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe]));
  await writeFile(join(dir, 'nul.md'), 'text\0with a NUL');
  await writeFile(join(dir, 'big.md'), 'x'.repeat(DEFAULT_PROMPT_MAX_BYTES + 1));
  await writeFile(join(dir, 'limit.md'), 'x'.repeat(DEFAULT_PROMPT_MAX_BYTES));
  await writeFile(join(dir, 'good.md'), '\uFEFFYou are helpful. Grüße, 日本語.');
  await symlink(join(dir, 'good.md'), join(dir, 'link.md'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A hang must fail the test quickly, not at vitest's timeout. */
function bounded<T>(promise: Promise<T>, ms = 2_000): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms).unref())]);
}

const refused = [
  ['fifo.md', 'ENOTREG', 'not a regular file (a FIFO)'],
  ['folder.md', 'ENOTREG', 'not a regular file (a directory)'],
  ['zero.md', 'ENOTREG', 'not a regular file (a character device)'],
  ['binary.md', 'ENOTTEXT', 'not UTF-8 text (a binary file?)'],
  ['nul.md', 'ENOTTEXT', 'not UTF-8 text (a binary file?)'],
  ['big.md', 'EFBIG', `file is ${DEFAULT_PROMPT_MAX_BYTES + 1} bytes, over the limit of ${DEFAULT_PROMPT_MAX_BYTES} (prompts.maxFileBytes)`],
  ['missing.md', 'ENOENT', 'file not found'],
] as const;

describe('readPromptFile', () => {
  it.each(refused)('refuses %s (%s) without hanging', async (name, code, reason) => {
    expect(await bounded(readPromptFile(join(dir, name)))).toEqual({ ok: false, code, reason });
  });

  it('reads UTF-8 text verbatim (a byte-order mark kept), through symlinks, up to the limit exactly', async () => {
    expect(await readPromptFile(join(dir, 'link.md'))).toEqual({ ok: true, text: '\uFEFFYou are helpful. Grüße, 日本語.' });
    expect(await readPromptFile(join(dir, 'limit.md'))).toMatchObject({ ok: true });
  });

  it('honours a smaller limit', async () => {
    expect(await readPromptFile(join(dir, 'good.md'), 10)).toMatchObject({ ok: false, code: 'EFBIG' });
  });
});

describe('readTextFile', () => {
  it('reads a bounded text file with its size', async () => {
    const read = await readTextFile(join(dir, 'good.md'), { maxBytes: 1024 });
    expect(read).toMatchObject({ ok: true, file: { size: Buffer.byteLength('\uFEFFYou are helpful. Grüße, 日本語.') } });
  });
});

describe('readTextFileSync', () => {
  const options = { maxBytes: DEFAULT_PROMPT_MAX_BYTES, limitName: 'prompts.maxFileBytes' };
  it.each(refused)('refuses %s (%s) as readTextFile does, without blocking', async (name, code, reason) => {
    expect(readTextFileSync(join(dir, name), options)).toEqual({ ok: false, code, reason });
  });

  it.each(['good.md', 'link.md', 'limit.md'])('reads %s exactly as readTextFile does', async (name) => {
    const read = readTextFileSync(join(dir, name), options);
    expect(read.ok).toBe(true);
    expect(read).toEqual(await readTextFile(join(dir, name), options));
  });
});

describe('createPromptStore with files that are not prompt text', () => {
  it.each(refused)('rejects %s at creation with PromptLoadError positioned at the referencing field', async (name, code, reason) => {
    const referencedAt = { file: 'kaged.yaml', line: 7, column: 13, field: 'agents.assistant.prompt.file' };
    const error = await bounded(
      createPromptStore({ baseDir: dir, prompts: [{ id: 'agents.assistant.prompt', file: name, referencedAt }] }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(PromptLoadError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reason, cause: { code } });
    expect((error as Error).message).toBe(`kaged.yaml:7:13 agents.assistant.prompt.file: cannot read prompt file ${join(dir, name)}: ${reason}`);
  });

  it('keeps the last good version when a live file turns into each of them, then recovers', async () => {
    const live = join(dir, 'live');
    await mkdir(live);
    const file = join(live, 'p.md');
    await writeFile(file, 'good');
    const referencedAt = { file: 'kaged.yaml', line: 3, column: 5, field: 'agents.a.prompt.file' };
    const store = await createPromptStore({ baseDir: live, prompts: [{ id: 'agents.a.prompt', file: 'p.md', maxBytes: 64, referencedAt }] });
    const version = store.snapshot().get('agents.a.prompt')!.version;
    const turnInto: [string, () => Promise<unknown>][] = [
      ['not a regular file (a FIFO)', async () => execFileSync('mkfifo', [file])],
      ['not a regular file (a directory)', () => mkdir(file)],
      ['not a regular file (a character device)', () => symlink('/dev/zero', file)],
      ['not UTF-8 text (a binary file?)', () => writeFile(file, Buffer.from([0xc3, 0x28, 0xa0, 0xa1]))],
      ['file is 65 bytes, over the limit of 64 (prompts.maxFileBytes)', () => writeFile(file, 'y'.repeat(65))],
    ];
    for (const [reason, make] of turnInto) {
      await rm(file, { recursive: true, force: true });
      await make();
      const { changes } = await bounded(store.refresh());
      expect(changes).toEqual([]);
      expect(store.snapshot().get('agents.a.prompt')).toMatchObject({ text: 'good', version });
      expect(store.status()[0]).toMatchObject({
        state: 'stale',
        error: `kaged.yaml:3:5 agents.a.prompt.file: ${file}: ${reason}; serving the last good version ${version}`,
      });
    }
    await rm(file, { recursive: true, force: true });
    await writeFile(file, 'better');
    expect((await store.refresh()).changes).toHaveLength(1);
    expect(store.status()[0]).toMatchObject({ state: 'ok', error: null });
  });
});
