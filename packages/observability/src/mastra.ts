// The Mastra side of @kaged/observability, a separate entry so that the logger alone needs
// no @mastra/core: import from '@kaged/observability/mastra'.
export { PinoMastraLogger } from './mastra-logger.js';
