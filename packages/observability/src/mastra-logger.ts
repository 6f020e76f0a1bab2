import { MastraLogger } from '@mastra/core/logger';
import type { Logger } from 'pino';

const SUBAGENT_WITHOUT_MEMORY = 'No memory is configured but resourceId and threadId were passed';

/**
 * Mastra's logger interface backed by kaged's pino logger, so Mastra's own messages land in
 * the same stream, with the same redaction, as everything else.
 */
export class PinoMastraLogger extends MastraLogger {
  readonly #pino: Logger;

  /** `level` defaults to the given logger's own level. */
  constructor(logger: Logger, options: { level?: 'debug' | 'info' | 'warn' | 'error' } = {}) {
    const level = options.level ?? (logger.level as 'info');
    super({ name: 'mastra', level });
    this.#pino = logger.child({ component: 'mastra' }, { level });
  }

  debug(message: string, ...args: unknown[]): void {
    if (this.#pino.isLevelEnabled('debug')) this.#pino.debug(fieldsOf(args), message);
  }

  info(message: string, ...args: unknown[]): void {
    if (this.#pino.isLevelEnabled('info')) this.#pino.info(fieldsOf(args), message);
  }

  warn(message: string, ...args: unknown[]): void {
    // kaged's subagents have no memory by design, yet Mastra hands them the caller's thread:
    // its warning about that would fire on every subagent call and teach operators to ignore warnings.
    if (message.startsWith(SUBAGENT_WITHOUT_MEMORY)) {
      this.debug(message, ...args);
      return;
    }
    if (this.#pino.isLevelEnabled('warn')) this.#pino.warn(fieldsOf(args), message);
  }

  error(message: string, ...args: unknown[]): void {
    if (this.#pino.isLevelEnabled('error')) this.#pino.error(fieldsOf(args), message);
  }
}

/** Mastra passes context as trailing objects; errors go under `err` so pino serialises their stack. */
function fieldsOf(args: unknown[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const arg of args) {
    if (arg instanceof Error) fields.err = arg;
    else if (arg && typeof arg === 'object') {
      for (const [key, value] of Object.entries(arg)) fields[key === 'error' && value instanceof Error ? 'err' : key] = value;
    } else if (arg !== undefined) {
      const extra = (fields.args ??= []) as unknown[];
      extra.push(arg);
    }
  }
  return fields;
}
