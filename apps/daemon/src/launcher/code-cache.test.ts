import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codeCacheKey, MAX_CODE_CACHE_FILES, openCodeCache, pruneCodeCaches } from './code-cache.js';

const runtime = { version: 'v24.21.0', arch: 'x64', execArgv: [] as string[], nodeOptions: undefined };

describe('the launcher’s code cache', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'kaged-code-cache-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keys a cache by the bundle’s bytes, not only their length (V8 checks the length alone)', () => {
    const a = codeCacheKey(Buffer.from('module.exports = 1;'), runtime);
    expect(codeCacheKey(Buffer.from('module.exports = 1;'), runtime)).toBe(a);
    expect(codeCacheKey(Buffer.from('module.exports = 2;'), runtime)).not.toBe(a);
  });

  it('keys a cache by Node’s version, the architecture and the flags V8 runs with', () => {
    const bundle = Buffer.from('module.exports = 1;');
    const base = codeCacheKey(bundle, runtime);
    expect(codeCacheKey(bundle, { ...runtime, version: 'v24.22.0' })).not.toBe(base);
    expect(codeCacheKey(bundle, { ...runtime, arch: 'arm64' })).not.toBe(base);
    expect(codeCacheKey(bundle, { ...runtime, execArgv: ['--max-old-space-size=128'] })).not.toBe(base);
    expect(codeCacheKey(bundle, { ...runtime, nodeOptions: '--max-semi-space-size=2' })).not.toBe(base);
  });

  it('has no data before the first save, and the saved data after it', () => {
    const dir = join(tempDir(), 'kaged');
    const first = openCodeCache(dir, 'kaged-key');
    expect(first.read()).toBeUndefined();
    first.save(Buffer.from('cached bytes'));
    expect(openCodeCache(dir, 'kaged-key').read()?.toString()).toBe('cached bytes');
    // Written through a temp file renamed over the cache: nothing else is left.
    expect(readdirSync(dir)).toEqual(['kaged-key.v8cache']);
  });

  it('never throws when the directory cannot be made or written', () => {
    // Under a regular file: no directory can be made there, not even by root.
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const cache = openCodeCache(join(file, 'kaged'), 'kaged-key');
    expect(cache.read()).toBeUndefined();
    expect(() => cache.save(Buffer.from('x'))).not.toThrow();
    expect(openCodeCache(join(file, 'kaged'), 'kaged-key').read()).toBeUndefined();
  });

  it(`keeps the ${MAX_CODE_CACHE_FILES} newest caches and drops a temp file a crash left behind`, () => {
    const dir = tempDir();
    const now = Date.now() / 1000;
    for (let i = 0; i < 6; i++) {
      const file = join(dir, `kaged-${i}.v8cache`);
      writeFileSync(file, String(i));
      utimesSync(file, now - 100 + i, now - 100 + i);
    }
    writeFileSync(join(dir, 'kaged-old.v8cache.123.tmp'), 'partial');
    utimesSync(join(dir, 'kaged-old.v8cache.123.tmp'), now - 3600, now - 3600);
    writeFileSync(join(dir, 'kaged-new.v8cache.456.tmp'), 'being written');
    writeFileSync(join(dir, 'unrelated.txt'), 'not ours');
    pruneCodeCaches(dir, MAX_CODE_CACHE_FILES);
    expect(readdirSync(dir).sort()).toEqual(
      ['kaged-2.v8cache', 'kaged-3.v8cache', 'kaged-4.v8cache', 'kaged-5.v8cache', 'kaged-new.v8cache.456.tmp', 'unrelated.txt'].sort(),
    );
  });
});
