import { createHash } from 'node:crypto';

/**
 * Where a prompt's text comes from: a file, or text written inline in the project file.
 * `maxBytes` bounds a file (default `DEFAULT_PROMPT_MAX_BYTES`); `referencedAt` is the field
 * that names the file, put in front of every error about it.
 */
export type PromptDefinition =
  | { id: string; file: string; maxBytes?: number | undefined; referencedAt?: PromptReference | undefined }
  | { id: string; text: string; referencedAt?: PromptReference | undefined };

/** The place in a config file that references a prompt: `kaged.yaml:7:13 agents.assistant.prompt.file`. */
export interface PromptReference {
  file: string;
  line: number;
  column: number;
  /** Field path, e.g. `agents.assistant.prompt.file`. */
  field: string;
}

/** `file:line:column field` of a reference, the prefix of positioned errors. */
export function formatReference(reference: PromptReference): string {
  return `${reference.file}:${reference.line}:${reference.column} ${reference.field}`;
}

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
