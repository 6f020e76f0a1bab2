import { createHash } from 'node:crypto';
import type { PromptSource, PromptVersion } from './prompt-source.js';

/** A prompt source over fixed texts, for library use without files and for tests. */
export function staticPromptSource(texts: Record<string, string>): PromptSource {
  const prompts = new Map<string, PromptVersion>(Object.entries(texts).map(([id, text]) => [id, { id, text, version: hash(text), path: null }]));
  const snapshot = { version: hash([...prompts.values()].map((p) => `${p.id}\0${p.version}`).join('\n')), get: (id: string) => prompts.get(id) };
  return { snapshot: () => snapshot };
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
