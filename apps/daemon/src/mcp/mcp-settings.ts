import { z } from 'zod';

/** Server names become the prefix of the names models see (`<server>_<tool>`): kept provider-safe. */
const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/;

const stringMap = z.record(z.string().min(1), z.string());

/**
 * One entry of `mcp.servers`: a local server (`command`, started by kaged over stdio) or a remote
 * one (`url`, Streamable HTTP with SSE as fallback). `${env:NAME}` works in every value (the
 * project loader substitutes it); env and header values are secrets the logger censors.
 */
export const mcpServerSchema = z
  .strictObject({
    /** The program to start, e.g. `node` or `/usr/local/bin/mcp-server-git`. */
    command: z.string().min(1, 'command must not be empty').optional(),
    args: z.array(z.string()).default([]),
    /** The only variables the server gets besides PATH and HOME: never the daemon's whole environment. */
    env: stringMap.default({}),
    /** Working directory of the server, relative to the project file's directory. */
    cwd: z.string().min(1).optional(),
    /** A remote server's endpoint: `https://…/mcp`. */
    url: z.url({ error: 'url must be an http(s) URL', protocol: /^https?$/ }).optional(),
    /** Sent with every request to a remote server (`Authorization: Bearer ${env:TOKEN}`). */
    headers: stringMap.default({}),
    /** How long a connection or one tool call may take before it is an error. */
    timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    /** `false` keeps the entry but starts nothing; agents listing its tools run without them. */
    enabled: z.boolean().default(true),
  })
  .superRefine((server, ctx) => {
    if ((server.command === undefined) === (server.url === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'an MCP server needs either "command" (local) or "url" (remote)' });
    }
    if (server.url !== undefined) {
      for (const key of ['args', 'env', 'cwd'] as const) {
        const value = server[key];
        const set = Array.isArray(value) ? value.length > 0 : typeof value === 'object' ? Object.keys(value).length > 0 : value !== undefined;
        if (set) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is for local servers (command), not for url` });
      }
    } else if (Object.keys(server.headers).length > 0) {
      ctx.addIssue({ code: 'custom', path: ['headers'], message: '"headers" is for remote servers (url), not for command' });
    }
  });

/** `mcp:` in `kaged.yaml`. */
export const mcpSchema = z.strictObject({
  servers: z
    .record(z.string(), mcpServerSchema)
    .superRefine((servers, ctx) => {
      // Checked here rather than as the record's key schema, whose message zod replaces.
      for (const name of Object.keys(servers)) {
        if (!SERVER_NAME.test(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'an MCP server name must start with a letter or digit and use only letters, digits and "-" (at most 32)',
          });
        }
      }
    })
    .default({}),
});

export type McpServerSettings = z.output<typeof mcpServerSchema>;
export type McpSettings = z.output<typeof mcpSchema>;
