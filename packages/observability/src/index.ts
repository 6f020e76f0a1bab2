export { createLogger } from './logger.js';
export type { Logger, LoggerOptions } from './logger.js';
// The redaction rules live in @kaged/core (one list of secret key names, one object scrubber,
// one text scrubber); re-exported so that a logger user needs one import.
export { CENSOR, isSecretKey, redactSecretFields, SECRET_KEY_NAMES } from '@kaged/core';
export { redactSecrets, SECRET_KEY } from './redact-secrets.js';
export { currentLogContext, runWithLogContext } from './log-context.js';
export type { LogContextFields } from './log-context.js';
export { LogRing, levelValues } from './log-ring.js';
export type { LogEntry, LogFilter, LogRingOptions } from './log-ring.js';
export { SecretValues } from './secret-values.js';
