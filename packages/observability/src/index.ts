export { createLogger } from './logger.js';
export type { Logger, LoggerOptions } from './logger.js';
export { CENSOR, SECRET_KEY, redactSecrets } from './redact-secrets.js';
export { currentLogContext, runWithLogContext } from './log-context.js';
export type { LogContextFields } from './log-context.js';
export { LogRing, levelValues } from './log-ring.js';
export type { LogEntry, LogFilter, LogRingOptions } from './log-ring.js';
export { SecretValues } from './secret-values.js';
