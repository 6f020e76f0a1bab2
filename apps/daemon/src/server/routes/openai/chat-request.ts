import { z } from 'zod';

const text = (what: string) => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : `expected ${what}`) });

const message = z
  .looseObject({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function'], {
      error: 'expected one of "system", "developer", "user", "assistant", "tool", "function"',
    }),
    // A string, null, or a list of parts; only text parts can reach an agent. Checked below
    // rather than as a union, so that the error names the part and field at fault.
    content: z.unknown().optional(),
  })
  .superRefine((m, ctx) => {
    const content = m.content;
    if (content === undefined || content === null || typeof content === 'string') return;
    if (!Array.isArray(content)) {
      ctx.addIssue({ code: 'custom', path: ['content'], message: 'expected a string or an array of text parts' });
      return;
    }
    content.forEach((part: unknown, index) => {
      const { type, text } = (part ?? {}) as { type?: unknown; text?: unknown };
      if (type !== 'text') {
        const got = typeof type === 'string' ? `"${type}"` : 'no type';
        ctx.addIssue({ code: 'custom', path: ['content', index, 'type'], message: `only "text" parts are supported (got ${got})` });
      } else if (typeof text !== 'string') {
        ctx.addIssue({ code: 'custom', path: ['content', index, 'text'], message: 'expected a string' });
      }
    });
  });

/**
 * Body of `POST /v1/chat/completions`. Loose on purpose: clients send many fields kaged has no
 * use for (`temperature`, `top_p`, `stop`, `tools`, …); they are accepted and ignored. Only the
 * fields kaged reads are checked.
 */
export const chatRequestSchema = z.looseObject({
  model: text('a string (an agent id)').min(1, 'must not be empty'),
  messages: z
    .array(message, { error: (issue) => (issue.input === undefined ? 'is required' : 'expected an array of messages') })
    .min(1, 'must contain at least one message'),
  stream: z.boolean({ error: 'expected true or false' }).nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean({ error: 'expected true or false' }).nullish() }, { error: 'expected an object' }).nullish(),
  user: z.string({ error: 'expected a string' }).max(256, 'must be at most 256 characters').nullish(),
  metadata: z.record(z.string(), z.unknown(), { error: 'expected an object' }).nullish(),
  tools: z.array(z.unknown(), { error: 'expected an array' }).nullish(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatMessage = ChatRequest['messages'][number];

/** The text of a message's content: a string, or its text parts joined. */
export function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part: { text?: string }) => part.text ?? '').join('');
  return '';
}
