import { redactSecretFields } from '@kaged/core';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';
import { currentLogContext } from './log-context.js';
import type { LogRing } from './log-ring.js';
import type { SecretValues } from './secret-values.js';

export interface LoggerOptions {
  /** Default `info`. `silent` turns logging off. */
  level?: LevelWithSilent;
  /** Logger name, the `name` field of every line. Default `kaged`. */
  name?: string;
  /** Where lines go. Default: stdout. Tests pass an in-memory stream. */
  destination?: DestinationStream;
  /**
   * `json` (default): one JSON object per line. `pretty`: coloured, human-readable lines for a
   * terminal. Only the main destination is affected; the ring always gets JSON.
   */
  format?: 'json' | 'pretty';
  /** Also keep every line in this in-memory ring (the live log view). */
  ring?: LogRing;
  /** Known secret values, censored wherever they appear in a line (message, stack, fields). */
  secrets?: SecretValues;
}

/**
 * The one pino logger of a kaged process: JSON lines, secrets censored (by key name, any
 * depth, any case; with `secrets`, known values and credential-shaped text too, in one pass
 * over each line). Components take `logger.child({ component })`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const main = options.destination ?? (options.format === 'pretty' ? prettyStdout() : pino.destination({ fd: 1, sync: false }));
  // Both destinations take every line the logger lets through; the logger's level decides.
  // Scrub each stream, not the multistream: pino hands the multistream per-line metadata
  // (the level) on the object itself, which a wrapper would hide.
  const scrubbed = (stream: DestinationStream) => (options.secrets ? options.secrets.wrap(stream) : stream);
  const destination = options.ring
    ? pino.multistream([
        { stream: scrubbed(main), level: 'trace' },
        { stream: scrubbed(options.ring), level: 'trace' },
      ])
    : scrubbed(main);
  const logger = pino(
    {
      name: options.name ?? 'kaged',
      level: options.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      // Correlation: lines written while a turn runs carry its ids, whoever writes them.
      mixin: (_fields, _level, logger) => {
        const context = currentLogContext();
        if (!context) return {};
        // A child logger that binds a field itself (a library user's turnId) keeps its own: no
        // key appears twice in a line. kaged's own loggers put turn ids in call fields instead.
        const bound = (logger as Logger).bindings();
        const fields: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(context)) if (value !== undefined && !(key in bound)) fields[key] = value;
        return fields;
      },
      // Secrets are censored by key name (@kaged/core's one list), at any depth and in any case,
      // in log-call fields and the mixin's; child bindings below.
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => redactSecretFields(fields),
      },
    },
    destination,
  );
  return withRedactedBindings(logger);
}

/**
 * pino serialises a child logger's bindings once, when the child is made, without
 * `formatters.log` (and its `formatters.bindings` applies to the root only), so they go through
 * the same object scrubber on the way in. Children are made with `Object.create(parent)`:
 * replacing `child` on the root covers every descendant.
 */
function withRedactedBindings(logger: Logger): Logger {
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, redactSecretFields(bindings), options);
  } as Logger['child'];
  return logger;
}

function prettyStdout(): DestinationStream {
  return pretty({
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,name',
    destination: 1,
    sync: false,
  });
}

export type { Logger };
