import { request as httpRequest } from 'node:http';
import { createLogger } from '@kaged/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { createProjectFixture, scenarioFiles, scenarioProject, type ProjectFixture } from './support/project-fixture.js';

// The exact requests a browser sends, written on the wire with node:http (fetch would not let a
// test set `Host`, and a browser's headers are what matters here).

const silent = createLogger({ level: 'silent' });
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Raw {
  status: number;
  body: any;
}

function raw(url: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Raw> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: init.method ?? 'GET', headers: { host: `${hostname}:${port}`, ...init.headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode!, body });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const turnBody = JSON.stringify({ message: 'hello from a web page', sessionId: 'victim' });

describe('browser safety (default daemon: 127.0.0.1, no token)', () => {
  let project: ProjectFixture;
  let daemon: Daemon;
  let hostHeader: string;

  beforeAll(async () => {
    project = await createProjectFixture(scenarioProject, scenarioFiles);
    cleanups.push(() => project.remove());
    daemon = await startDaemon({ project: project.file, port: 0, logger: silent, env: {} });
    cleanups.push(() => daemon.close());
    hostHeader = new URL(daemon.url).host;
  });

  const turnsPath = '/v1/agents/assistant/turns';
  const sessionTurns = async () => daemon.metrics.registry.getSingleMetricAsString('kaged_turns_total');

  it('refuses a simple cross-origin POST with text/plain (no preflight in a browser)', async () => {
    const before = await sessionTurns();
    const res = await raw(daemon.url, turnsPath, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'text/plain;charset=UTF-8', 'sec-fetch-site': 'cross-site' },
      body: turnBody,
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('origin_not_allowed');
    expect(await sessionTurns()).toBe(before);
  });

  it('refuses an HTML form post (enctype text/plain and urlencoded) from another origin', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await raw(daemon.url, turnsPath, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': type }, body: turnBody });
      expect(res.status, type).toBe(403);
    }
    // A form on a page opened from disk or a sandboxed frame sends `Origin: null`.
    const res = await raw(daemon.url, turnsPath, { method: 'POST', headers: { origin: 'null', 'content-type': 'text/plain' }, body: turnBody });
    expect(res.status).toBe(403);
  });

  it('refuses a cross-origin POST even with application/json, and a page on another localhost port', async () => {
    for (const origin of ['https://evil.example', 'http://localhost:3000', `http://127.0.0.1:1`]) {
      const res = await raw(daemon.url, turnsPath, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: turnBody });
      expect(res.status, origin).toBe(403);
      expect(res.body.error.code).toBe('origin_not_allowed');
    }
  });

  it('requires application/json for bodies, whoever sends them (415)', async () => {
    const res = await raw(daemon.url, turnsPath, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: turnBody });
    expect(res.status).toBe(415);
    expect(res.body.error).toMatchObject({ code: 'unsupported_media_type' });
    const none = await raw(daemon.url, turnsPath, { method: 'POST', body: turnBody });
    expect(none.status).toBe(415);
  });

  it('refuses a DNS-rebinding Host on every route but the health checks', async () => {
    const port = new URL(daemon.url).port;
    for (const path of ['/v1/logs', '/v1/traces', '/v1/prompts', '/v1/agents', '/metrics', '/v1/future-route']) {
      const res = await raw(daemon.url, path, { headers: { host: `rebind.evil.example:${port}` } });
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe('host_not_allowed');
    }
    const post = await raw(daemon.url, turnsPath, {
      method: 'POST',
      headers: { host: `rebind.evil.example:${port}`, origin: `http://rebind.evil.example:${port}`, 'content-type': 'application/json' },
      body: turnBody,
    });
    expect(post.status).toBe(403);
    // The right name on the wrong port is not this daemon either, nor is a missing Host.
    expect((await raw(daemon.url, '/v1/agents', { headers: { host: 'localhost:1' } })).status).toBe(403);
    expect((await raw(daemon.url, '/healthz', { headers: { host: `rebind.evil.example:${port}` } })).status).toBe(200);
    expect((await raw(daemon.url, '/readyz', { headers: { host: `rebind.evil.example:${port}` } })).status).toBe(200);
  });

  it('serves same-origin requests (the console at /) and localhost, [::1]-style names', async () => {
    const port = new URL(daemon.url).port;
    for (const host of [hostHeader, `localhost:${port}`]) {
      const res = await raw(daemon.url, turnsPath, {
        method: 'POST',
        headers: { host, origin: `http://${host}`, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
        body: turnBody,
      });
      expect(res.status, host).toBe(200);
      expect(res.body.text).toContain('hello from a web page');
    }
    expect((await raw(daemon.url, '/v1/agents', { headers: { host: `[::1]:${port}` } })).status).toBe(200);
  });

  it('lets a real client (fetch without Origin) run a turn', async () => {
    const res = await fetch(`${daemon.url}${turnsPath}`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: turnBody });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { text: string }).text).toContain('hello from a web page');
    expect((await fetch(`${daemon.url}/v1/agents`)).status).toBe(200);
  });
});

describe('browser safety: server.allowedOrigins and server.allowedHosts', () => {
  let daemon: Daemon;

  beforeAll(async () => {
    const yaml = `${scenarioProject}server:\n  allowedOrigins: ["https://console.example"]\n  allowedHosts: ["kaged.lan"]\n`;
    const project = await createProjectFixture(yaml, scenarioFiles);
    cleanups.push(() => project.remove());
    daemon = await startDaemon({ project: project.file, port: 0, logger: silent, env: {} });
    cleanups.push(() => daemon.close());
  });

  it('accepts a configured origin, answers its preflight, and still refuses others', async () => {
    const preflight = await raw(daemon.url, '/v1/agents/assistant/turns', {
      method: 'OPTIONS',
      headers: { origin: 'https://console.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    const ok = await raw(daemon.url, '/v1/agents/assistant/turns', {
      method: 'POST',
      headers: { origin: 'https://console.example', 'content-type': 'application/json' },
      body: turnBody,
    });
    expect(ok.status).toBe(200);
    const evil = await raw(daemon.url, '/v1/agents', { headers: { origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
  });

  it('accepts a configured host name on any port (a reverse proxy in front)', async () => {
    expect((await raw(daemon.url, '/v1/agents', { headers: { host: 'kaged.lan' } })).status).toBe(200);
    expect((await raw(daemon.url, '/v1/agents', { headers: { host: 'kaged.lan:8443' } })).status).toBe(200);
    expect((await raw(daemon.url, '/v1/agents', { headers: { host: 'other.lan' } })).status).toBe(403);
  });

  it('rejects a malformed allow-list entry with a positioned error', async () => {
    const yaml = `${scenarioProject}server:\n  allowedOrigins: ["https://console.example/path"]\n`;
    const project = await createProjectFixture(yaml, scenarioFiles);
    cleanups.push(() => project.remove());
    await expect(startDaemon({ project: project.file, port: 0, logger: silent, env: {} })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: 'server.allowedOrigins[0]', line: expect.any(Number) })],
    });
  });
});

describe('tokens', () => {
  it('refuses to start with a one-character KAGED_TOKEN, and checks tokens of any length', async () => {
    const project = await createProjectFixture(scenarioProject, scenarioFiles);
    cleanups.push(() => project.remove());
    await expect(startDaemon({ project: project.file, port: 0, logger: silent, env: { KAGED_TOKEN: 'x' } })).rejects.toThrow(
      /KAGED_TOKEN: token must be at least 16 characters/,
    );
    const token = 'a-long-enough-test-token';
    const daemon = await startDaemon({ project: project.file, port: 0, logger: silent, env: { KAGED_TOKEN: token } });
    cleanups.push(() => daemon.close());
    for (const given of ['', 'x', token.slice(0, -1), `${token}x`]) {
      const res = await fetch(`${daemon.url}/v1/agents`, { headers: { authorization: `Bearer ${given}` } });
      expect(res.status, given).toBe(401);
    }
    expect((await fetch(`${daemon.url}/v1/agents`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
