// examples/hello's MCP server: the reference filesystem server on the example's notes folder,
// installed with the repository, so it works offline.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { waitFor } from './support/child-processes.js';
import { streamTurn } from './support/sse.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/hello/kaged.yaml', import.meta.url));

describe('examples/hello with its notes MCP server', () => {
  let daemon: Daemon;

  beforeAll(async () => {
    daemon = await startDaemon({
      project: EXAMPLE,
      port: 0,
      dataDir: `${process.env.TMPDIR ?? '/tmp'}/kaged-example-mcp-${process.pid}`,
      env: { PATH: process.env.PATH },
    });
    await waitFor(
      async () => {
        const body = (await (await fetch(`${daemon.url}/readyz`)).json()) as { checks: { name: string; status: string }[] };
        return body.checks.find((c) => c.name === 'mcp:notes')?.status === 'ok';
      },
      15_000,
      'the notes server',
    );
  }, 30_000);

  afterAll(async () => {
    await daemon?.close();
  });

  it('lists and reads the notes through the MCP tools', async () => {
    const listed = await streamTurn(daemon.url, 'assistant', { message: 'what notes do I have?' });
    const result = listed.events.find((e) => e.event === 'tool.result')?.data;
    expect(result, JSON.stringify(result)).toMatchObject({ name: 'notes_list_directory', isError: false });
    expect(listed.events.at(-1)?.data.text).toContain('welcome.md');

    const read = await streamTurn(daemon.url, 'assistant', { message: 'read my welcome note' });
    expect(read.events.at(-1)?.data.text).toContain('This folder is served to the example assistant');
  });
});
