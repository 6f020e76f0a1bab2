export { createLogger, redactedPaths } from './logger.js';
export type { Logger, LoggerOptions } from './logger.js';
export { PinoMastraLogger } from './mastra-logger.js';
