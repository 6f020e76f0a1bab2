import { createHash } from 'node:crypto';
import type { Prompt } from './prompt.js';

/**
 * The prompts as they were at one moment. Never mutated: a turn that holds a snapshot keeps
 * seeing exactly these texts whatever happens on disk afterwards.
 */
export interface PromptSnapshot {
  /** Changes whenever any prompt's version changes. */
  readonly version: string;
  readonly prompts: readonly Prompt[];
  get(id: string): Prompt | undefined;
}

export function createPromptSnapshot(prompts: readonly Prompt[]): PromptSnapshot {
  const byId = new Map(prompts.map((p) => [p.id, p]));
  const version = createHash('sha256')
    .update(prompts.map((p) => `${p.id}\0${p.version}`).join('\n'))
    .digest('hex')
    .slice(0, 12);
  return Object.freeze({
    version,
    prompts: Object.freeze([...prompts]),
    get: (id: string) => byId.get(id),
  });
}
