export { createLogger } from './logger.js';
export type { Logger, LoggerOptions } from './logger.js';
export { CENSOR, SECRET_KEY, redactSecrets } from './redact-secrets.js';
