import { z } from 'zod';

/** A `ModelPrice` in a settings file: USD per million tokens; `cacheRead`/`cacheWrite` default to `input`. */
export const priceSchema = z.strictObject({
  input: z.number().min(0),
  output: z.number().min(0),
  cacheRead: z.number().min(0).optional(),
  cacheWrite: z.number().min(0).optional(),
});
