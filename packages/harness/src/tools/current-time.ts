import { createTool } from '@mastra/core/tools';
import { z } from 'zod';

/** Built-in tool: the current date and time, so agents need not guess it. */
export const currentTimeTool = createTool({
  id: 'current_time',
  description: 'Returns the current date and time as ISO 8601 in UTC, plus the local time in an optional IANA time zone.',
  inputSchema: z.object({
    timeZone: z.string().optional().describe('IANA time zone such as "Europe/Berlin"; default UTC'),
  }),
  execute: async (input) => {
    const now = new Date();
    const timeZone = input.timeZone ?? 'UTC';
    let local: string;
    try {
      local = now.toLocaleString('sv-SE', { timeZone });
    } catch {
      return { iso: now.toISOString(), error: `unknown time zone "${timeZone}"` };
    }
    return { iso: now.toISOString(), timeZone, local };
  },
});
