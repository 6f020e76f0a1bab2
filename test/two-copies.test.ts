// Error identity survives duplicate installs: an application can end up with two copies of
// @kaged/core and @kaged/llm (two versions, or a bundled and a hoisted copy), where
// `instanceof` fails. Each error class carries its own marker, so copy B's `isInstance`
// recognises copy A's errors, and a sibling class of either copy does not.
//
// Loads the built dist/ of each package twice, from two separate node_modules trees.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const copied = ['core', 'llm', 'prompt-watcher'] as const;

type Core = typeof import('@kaged/core');
type Llm = typeof import('@kaged/llm');
type PromptWatcher = typeof import('@kaged/prompt-watcher');
interface Copy {
  core: Core;
  llm: Llm;
  promptWatcher: PromptWatcher;
}

let root: string;
let a: Copy;
let b: Copy;

/** One node_modules tree with its own @kaged packages (package.json + dist) and links to their third-party dependencies. */
async function install(name: string): Promise<Copy> {
  const modules = join(root, name, 'node_modules');
  for (const pkg of copied) {
    const from = join(repoRoot, 'packages', pkg);
    const to = join(modules, '@kaged', pkg);
    mkdirSync(to, { recursive: true });
    cpSync(join(from, 'package.json'), join(to, 'package.json'));
    cpSync(join(from, 'dist'), join(to, 'dist'), { recursive: true });
    const manifest = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (dep.startsWith('@kaged/')) continue;
      const link = join(modules, dep);
      mkdirSync(dirname(link), { recursive: true });
      try {
        symlinkSync(join(from, 'node_modules', dep), link, 'dir');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }
  // Absolute file URLs: each copy's dist resolves @kaged/core from its own tree.
  const load = (pkg: (typeof copied)[number]) => import(pathToFileURL(join(modules, '@kaged', pkg, 'dist', 'index.js')).href);
  return { core: await load('core'), llm: await load('llm'), promptWatcher: await load('prompt-watcher') };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'kaged-two-copies-'));
  a = await install('a');
  b = await install('b');
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('two installed copies of the kaged packages', () => {
  it('are really two copies: instanceof does not cross them', () => {
    expect(a.llm.MissingApiKeyError).not.toBe(b.llm.MissingApiKeyError);
    expect(a.core.KagedError).not.toBe(b.core.KagedError);
    expect(new a.llm.MissingApiKeyError('openai', 'OPENAI_API_KEY')).not.toBeInstanceOf(b.llm.MissingApiKeyError);
  });

  it('recognise each other’s llm errors: the class, its package base and KagedError', () => {
    const error = new a.llm.MissingApiKeyError('openai', 'OPENAI_API_KEY');
    expect(b.llm.MissingApiKeyError.isInstance(error)).toBe(true);
    expect(b.llm.KagedLlmError.isInstance(error)).toBe(true);
    expect(b.core.KagedError.isInstance(error)).toBe(true);
    const timeout = new b.llm.ModelTimeoutError('http://127.0.0.1:1/v1', 5);
    expect(a.llm.ModelTimeoutError.isInstance(timeout)).toBe(true);
    expect(a.core.KagedError.isInstance(timeout)).toBe(true);
  });

  it('tell siblings apart across copies', () => {
    const error = new a.llm.MissingApiKeyError('openai', 'OPENAI_API_KEY');
    expect(b.llm.NoSuchModelError.isInstance(error)).toBe(false);
    expect(b.llm.ModelCallError.isInstance(error)).toBe(false);
    expect(b.llm.NoSuchModelError.isInstance(new a.llm.NoSuchModelError('x/y', 'no such model'))).toBe(true);
    expect(b.promptWatcher.PromptLoadError.isInstance(error)).toBe(false);
  });

  it('recognise prompt-watcher’s PromptLoadError, which is no llm error', () => {
    const error = new a.promptWatcher.PromptLoadError('agents.a.prompt', '/nowhere.md', Object.assign(new Error('gone'), { code: 'ENOENT' }));
    expect(b.promptWatcher.PromptLoadError.isInstance(error)).toBe(true);
    expect(b.core.KagedError.isInstance(error)).toBe(true);
    expect(b.llm.KagedLlmError.isInstance(error)).toBe(false);
    expect(b.llm.MissingApiKeyError.isInstance(error)).toBe(false);
  });

  it('classify a model error thrown by the other copy', () => {
    const described = b.llm.classifyModelError(new a.llm.ModelTimeoutError('http://127.0.0.1:1/v1', 5), { modelId: 'local/m' });
    expect(described).toMatchObject({ code: 'timeout' });
    expect(a.llm.ModelCallError.isInstance(described)).toBe(true);
  });
});
