import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

/** Field paths whose values are secrets wherever they appear in a log line. */
export const redactedPaths: readonly string[] = [
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'headers.authorization',
  'secretKey',
  '*.secretKey',
  'publicKey',
  '*.publicKey',
  'password',
  '*.password',
];

export interface LoggerOptions {
  /** Default `info`. `silent` turns logging off. */
  level?: LevelWithSilent;
  /** Logger name, the `name` field of every line. Default `kaged`. */
  name?: string;
  /** Where lines go. Default: stdout. Tests pass an in-memory stream. */
  destination?: DestinationStream;
}

/**
 * The one pino logger of a kaged process: JSON lines, secrets censored. Components take
 * `logger.child({ component })`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'kaged',
      level: options.level ?? 'info',
      redact: { paths: [...redactedPaths], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

export type { Logger };
