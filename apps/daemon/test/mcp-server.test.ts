// kaged's own MCP endpoint, driven by the official SDK client over Streamable HTTP: the agents
// are tools, a call is an ordinary turn with a session, and /mcp sits behind the same token.
import { request as httpRequest } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { createProjectFixture, scenarioFiles, scenarioProject, type ProjectFixture } from './support/project-fixture.js';

const TOKEN = 'mcp-test-token-0123456789';

/**
 * A `fetch` for the SDK's transport that sends `host` as the Host header, as a DNS-rebinding
 * page's requests do (they reach the daemon under the attacker's name). Node's fetch sets Host
 * from the URL whatever the headers say, so this one writes the request with node:http.
 */
function fetchNamingHost(host: string): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = Object.fromEntries(new Headers(init?.headers));
    const body = init?.body == null ? undefined : Buffer.from(await new Response(init.body).arrayBuffer());
    return new Promise<Response>((resolve, reject) => {
      const req = httpRequest(url, { method: init?.method ?? 'GET', headers: { ...headers, host } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 500;
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) responseHeaders.set(name, String(value));
          resolve(new Response([204, 304].includes(status) ? null : Buffer.concat(chunks), { status, headers: responseHeaders }));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  };
}

describe('kaged as an MCP server at /mcp', () => {
  let project: ProjectFixture;
  let daemon: Daemon;
  let client: Client;

  const connect = async (token: string | undefined, more: { headers?: Record<string, string>; fetch?: typeof fetch } = {}) => {
    const next = new Client({ name: 'kaged-test', version: '1.0.0' });
    const headers: Record<string, string> = { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...more.headers };
    await next.connect(new StreamableHTTPClientTransport(new URL(`${daemon.url}/mcp`), { requestInit: { headers }, fetch: more.fetch }));
    return next;
  };

  /** How the SDK client's connect failed: the HTTP status (its `StreamableHTTPError.code`) and kaged's error code. */
  const refusal = async (connecting: Promise<Client>) => {
    const error = (await connecting.then(
      () => undefined,
      (e: unknown) => e,
    )) as { code?: unknown; message: string } | undefined;
    return { status: error?.code, code: /"code":"([a-z_]+)"/.exec(error?.message ?? '')?.[1] };
  };

  beforeAll(async () => {
    project = await createProjectFixture(scenarioProject, scenarioFiles);
    daemon = await startDaemon({ project: project.file, port: 0, token: TOKEN, env: {} });
    client = await connect(TOKEN);
  });

  afterAll(async () => {
    await client?.close();
    await daemon?.close();
    await project?.remove();
  });

  it('lists each agent as a tool with message and sessionId inputs', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['assistant', 'researcher']);
    const researcher = tools.find((t) => t.name === 'researcher')!;
    expect(researcher.description).toContain('Finds facts.');
    expect(researcher.inputSchema.required).toEqual(['message']);
    expect(Object.keys(researcher.inputSchema.properties ?? {}).sort()).toEqual(['message', 'sessionId']);
  });

  it('runs a turn per call and continues its session', async () => {
    const first = await client.callTool({ name: 'assistant', arguments: { message: 'hello' } });
    expect(first.isError).toBeFalsy();
    expect(first.content).toEqual([{ type: 'text', text: 'echo hello (messages: 1)' }]);
    const ids = first.structuredContent as { answer: string; sessionId: string; turnId: string; traceId: string | null };
    expect(ids).toMatchObject({ answer: 'echo hello (messages: 1)', sessionId: expect.any(String), turnId: expect.any(String) });
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);

    const second = await client.callTool({ name: 'assistant', arguments: { message: 'again', sessionId: ids.sessionId } });
    expect(second.content).toEqual([{ type: 'text', text: 'echo again (messages: 2)' }]);
    expect((second.structuredContent as { sessionId: string }).sessionId).toBe(ids.sessionId);

    const metrics = await (await fetch(`${daemon.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
    expect(metrics).toMatch(/kaged_turns_total\{agent="assistant",outcome="ok"\} [2-9]/);
  });

  it('answers an unknown tool and bad arguments with errors, not a crash', async () => {
    const unknown = await client.callTool({ name: 'nobody', arguments: { message: 'x' } }).catch((error: Error) => ({ thrown: error.message }));
    expect(JSON.stringify(unknown)).toMatch(/nobody/);
    const bad = await client.callTool({ name: 'assistant', arguments: { message: 42 } }).catch((error: Error) => ({ thrown: error.message }));
    expect(JSON.stringify(bad)).toMatch(/message/);
  });

  it('answers malformed JSON-RPC with a JSON-RPC error', async () => {
    const response = await fetch(`${daemon.url}/mcp`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{"jsonrpc": "2.0", "method": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
  });

  it('answers GET with 405: the endpoint is stateless', async () => {
    const response = await fetch(`${daemon.url}/mcp`, { headers: { Authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST, DELETE');
  });

  it('refuses a wrong or missing token', async () => {
    await expect(connect('wrong-token-0123456789abc')).rejects.toThrow(/401|unauthori[sz]ed|bearer/i);
    await expect(connect(undefined)).rejects.toThrow(/401|unauthori[sz]ed|bearer/i);
  });

  it('refuses a web page of another origin (403), with the right token, and serves its own origin', async () => {
    expect(await refusal(connect(TOKEN, { headers: { Origin: 'http://evil.example' } }))).toEqual({ status: 403, code: 'origin_not_allowed' });
    // Another port of the same machine is another origin: another local web app.
    const port = new URL(daemon.url).port;
    expect(await refusal(connect(TOKEN, { headers: { Origin: `http://localhost:${Number(port) + 1}` } }))).toEqual({ status: 403, code: 'origin_not_allowed' });
    const own = await connect(TOKEN, { headers: { Origin: daemon.url } });
    expect((await own.listTools()).tools.length).toBe(2);
    await own.close();
  });

  it('refuses a foreign Host (DNS rebinding), with the right token, and serves its own name', async () => {
    const port = new URL(daemon.url).port;
    expect(await refusal(connect(TOKEN, { fetch: fetchNamingHost(`rebind.evil.example:${port}`) }))).toEqual({ status: 403, code: 'host_not_allowed' });
    // The same client and transport with the daemon's own name: the refusal was the Host.
    const own = await connect(TOKEN, { fetch: fetchNamingHost(`localhost:${port}`) });
    expect((await own.listTools()).tools.map((t) => t.name).sort()).toEqual(['assistant', 'researcher']);
    await own.close();
  });
});
