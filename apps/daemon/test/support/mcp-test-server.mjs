// A small stdio MCP server for the daemon's MCP tests, on the official SDK. What it writes to
// stderr at start is set by its environment (the test's `env:` entry in kaged.yaml):
//   STDERR_SECRET   printed in a line, to see the daemon censor it
//   STDERR_LONG     a line of that many characters
//   STDERR_BURST    that many lines at once, to see the daemon bound the rate
// KEEP_ALIVE=1 keeps it running when its stdin closes, as some servers do: only a signal ends it.
// Tools: `long_output` (text of `chars` characters ending in END-OF-OUTPUT), `echo`.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const env = process.env;
process.stderr.write(`test-server starting pid=${process.pid}\n`);
if (env.STDERR_SECRET) process.stderr.write(`connecting with token ${env.STDERR_SECRET}\n`);
if (env.STDERR_LONG) process.stderr.write(`${'L'.repeat(Number(env.STDERR_LONG))}\n`);
for (let i = 0; i < Number(env.STDERR_BURST ?? 0); i++) process.stderr.write(`burst line ${i}\n`);
// Half a line, finished later: a line is logged once it is complete.
process.stderr.write('partial ');
setTimeout(() => process.stderr.write('line finished\n'), 20);

const server = new McpServer({ name: 'kaged-test-server', version: '1.2.3' });
server.registerTool('long_output', { description: 'Returns a long text.', inputSchema: { chars: z.number().int().min(1) } }, async ({ chars }) => {
  const end = 'END-OF-OUTPUT';
  const body = 'abcdefghij'.repeat(Math.ceil(chars / 10)).slice(0, Math.max(0, chars - end.length));
  return { content: [{ type: 'text', text: `${body}${end}` }] };
});
server.registerTool('echo', { description: 'Says what it is given.', inputSchema: { text: z.string() } }, async ({ text }) => {
  process.stderr.write(`echo called with ${text}\n`);
  return { content: [{ type: 'text', text }] };
});
if (env.KEEP_ALIVE === '1') setInterval(() => {}, 60_000);
await server.connect(new StdioServerTransport());
process.stderr.write('test-server ready\n');
