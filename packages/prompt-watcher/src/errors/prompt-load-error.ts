const marker = Symbol.for('kaged.error');

/** A prompt file could not be read. Names the prompt (the config field that references it) and the file. */
export class PromptLoadError extends Error {
  readonly [marker] = true;
  readonly code = 'prompt_unreadable';
  readonly promptId: string;
  readonly path: string;

  constructor(promptId: string, path: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : String((cause as Error)?.message ?? cause);
    super(`${promptId}: cannot read prompt file ${path}: ${reason}`, { cause });
    this.name = 'PromptLoadError';
    this.promptId = promptId;
    this.path = path;
  }

  static isInstance(error: unknown): error is PromptLoadError {
    return typeof error === 'object' && error !== null && marker in error && (error as { code?: unknown }).code === 'prompt_unreadable';
  }
}
