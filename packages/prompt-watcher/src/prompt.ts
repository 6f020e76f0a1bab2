import { createHash } from 'node:crypto';

/** Where a prompt's text comes from: a file, or text written inline in the project file. */
export type PromptDefinition = { id: string; file: string } | { id: string; text: string };

/** One immutable prompt version. */
export interface Prompt {
  /** Stable id, by convention the config field that defines it (`agents.assistant.prompt`). */
  readonly id: string;
  readonly text: string;
  /** Short content hash: equal texts have equal versions, whatever their history. */
  readonly version: string;
  /** Absolute file path, or `null` for inline text. */
  readonly path: string | null;
  readonly loadedAt: Date;
}

export function contentVersion(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
