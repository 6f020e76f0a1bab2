import { z } from 'zod';
import { tokenProblem } from './token-rule.js';

/**
 * The `server` fields that keep the API safe (docs/running.md#security-defaults), composed into
 * the project schema's `server` section.
 */
export const serverSecuritySettings = {
  /** Bearer token for /v1 routes and /metrics; required when binding a non-loopback address. */
  token: z
    .string()
    .superRefine((token, ctx) => {
      const problem = tokenProblem(token);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  /** Origins besides the daemon's own whose web pages may call the API, e.g. `https://console.example`. */
  allowedOrigins: z
    .array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'expected an origin such as "https://console.example" (scheme and host, no path)'))
    .default([]),
  /** Names besides the bound address and localhost that the `Host` header may carry (`name` or `name:port`). */
  allowedHosts: z
    .array(z.string().regex(/^[A-Za-z0-9._-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/, 'expected a host name, optionally with ":port"'))
    .default([]),
};
