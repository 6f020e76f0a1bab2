import { z } from 'zod';

const wellFormed = 'must be well-formed Unicode (it contains a lone surrogate)';

/** Body of `POST /v1/agents/{agentId}/turns`. */
export const turnRequestSchema = z.strictObject({
  message: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'expected a string') })
    .min(1, 'must not be empty')
    .max(200_000, 'must be at most 200000 characters'),
  sessionId: z
    .string({ error: 'expected a string' })
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 characters of letters, digits, ".", "_", ":" or "-"')
    .optional(),
  // A lone surrogate cannot be encoded (storage URI-encodes the user as the session's resource):
  // refused here as the client's mistake, not a 502 from deep inside a turn.
  userId: z
    .string({ error: 'expected a string' })
    .min(1)
    .max(256)
    .refine((id) => (id as string & { isWellFormed(): boolean }).isWellFormed(), wellFormed)
    .optional(),
  tags: z.array(z.string().min(1).max(100), { error: 'expected an array of strings' }).max(50).optional(),
  metadata: z.record(z.string(), z.unknown(), { error: 'expected an object' }).optional(),
});

export type TurnRequestBody = z.infer<typeof turnRequestSchema>;
