import { KagedError } from '@kaged/core';
import { formatReference, type PromptReference } from '../prompt.js';

/**
 * A prompt file could not be read. Names the prompt (the config field that references it) and
 * the file; with `reference`, the message starts at that field's `file:line:column`.
 */
export class PromptLoadError extends KagedError {
  static override readonly marker: string = 'kaged.prompt-watcher.PromptLoadError';

  declare readonly code: 'prompt_unreadable';
  readonly promptId: string;
  readonly path: string;
  /** Why, without the file: `not a regular file (a FIFO)`, `file not found`. */
  readonly reason: string;
  readonly reference: PromptReference | undefined;

  constructor(promptId: string, path: string, cause: unknown, reference?: PromptReference) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : String((cause as Error)?.message ?? cause);
    super('prompt_unreadable', `${reference ? formatReference(reference) : promptId}: cannot read prompt file ${path}: ${reason}`, { cause });
    this.promptId = promptId;
    this.path = path;
    this.reason = reason;
    this.reference = reference;
  }
}
