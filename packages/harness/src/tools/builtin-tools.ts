import { currentTimeTool } from './current-time.js';

/** Tools every kaged agent may list by name in `tools:`. */
export const builtinTools = {
  current_time: currentTimeTool,
} as const;
