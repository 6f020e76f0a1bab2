import { KagedError } from '@kaged/core';

/** A prompt file could not be read. Names the prompt (the config field that references it) and the file. */
export class PromptLoadError extends KagedError {
  static override readonly marker: string = 'kaged.prompt-watcher.PromptLoadError';

  declare readonly code: 'prompt_unreadable';
  readonly promptId: string;
  readonly path: string;

  constructor(promptId: string, path: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : String((cause as Error)?.message ?? cause);
    super('prompt_unreadable', `${promptId}: cannot read prompt file ${path}: ${reason}`, { cause });
    this.promptId = promptId;
    this.path = path;
  }
}
