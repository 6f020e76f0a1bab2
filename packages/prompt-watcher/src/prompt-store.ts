import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PromptLoadError } from './errors/prompt-load-error.js';
import { contentVersion, type Prompt, type PromptDefinition } from './prompt.js';
import { createPromptSnapshot, type PromptSnapshot } from './prompt-snapshot.js';

export interface PromptStoreOptions {
  prompts: readonly PromptDefinition[];
  /** Relative prompt paths resolve against this directory (the project file's). Default: cwd. */
  baseDir?: string;
}

export interface PromptStore {
  /** The current prompts; cheap, call it at every message boundary. */
  snapshot(): PromptSnapshot;
  /** Re-reads every file. On any error the previous snapshot stays current and the error is thrown. */
  reload(): Promise<PromptSnapshot>;
}

/**
 * Loads prompt files and inline texts into versioned snapshots. Throws `PromptLoadError`
 * naming the prompt and file when a file cannot be read.
 */
export async function createPromptStore(options: PromptStoreOptions): Promise<PromptStore> {
  const baseDir = options.baseDir ?? process.cwd();
  const definitions = [...options.prompts];
  let current = await loadAll(definitions, baseDir, undefined);
  // Reloads run one after another, so a slow early read can never replace a later one.
  let queue: Promise<unknown> = Promise.resolve();

  return {
    snapshot: () => current,
    reload() {
      const run = queue.then(async () => {
        current = await loadAll(definitions, baseDir, current);
        return current;
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

async function loadAll(definitions: readonly PromptDefinition[], baseDir: string, previous: PromptSnapshot | undefined): Promise<PromptSnapshot> {
  const loadedAt = new Date();
  const prompts = await Promise.all(
    definitions.map(async (definition): Promise<Prompt> => {
      const path = 'file' in definition ? resolve(baseDir, definition.file) : null;
      let text: string;
      if (path === null) {
        text = (definition as { text: string }).text;
      } else {
        try {
          text = await readFile(path, 'utf8');
        } catch (error) {
          throw new PromptLoadError(definition.id, path, error);
        }
      }
      const version = contentVersion(text);
      const before = previous?.get(definition.id);
      // Keep the original load time of an unchanged prompt: it tells when this version appeared.
      if (before && before.version === version && before.path === path) return before;
      return Object.freeze({ id: definition.id, text, version, path, loadedAt });
    }),
  );
  return createPromptSnapshot(prompts);
}
