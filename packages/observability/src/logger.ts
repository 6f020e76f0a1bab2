import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { CENSOR, redactSecrets } from './redact-secrets.js';

/**
 * pino serialises child-logger bindings once, without `formatters.log`; its own redaction
 * covers the secret keys a binding may carry. Log-call fields go through `redactSecrets`.
 */
const bindingSecretPaths = ['apiKey', 'api_key', 'token', 'accessToken', 'authorization', 'Authorization', 'secret', 'secretKey', 'publicKey', 'password'];

export interface LoggerOptions {
  /** Default `info`. `silent` turns logging off. */
  level?: LevelWithSilent;
  /** Logger name, the `name` field of every line. Default `kaged`. */
  name?: string;
  /** Where lines go. Default: stdout. Tests pass an in-memory stream. */
  destination?: DestinationStream;
}

/**
 * The one pino logger of a kaged process: JSON lines, secrets censored (by key name, any
 * depth, any case). Components take `logger.child({ component })`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'kaged',
      level: options.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: bindingSecretPaths, censor: CENSOR },
      formatters: {
        level: (label) => ({ level: label }),
        // Secrets are censored by key name, at any depth and in any case.
        log: (fields) => redactSecrets(fields),
      },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

export type { Logger };
