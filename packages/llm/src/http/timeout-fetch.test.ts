import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelTimeoutError } from '../errors/model-timeout-error.js';
import { createTimeoutFetch } from './timeout-fetch.js';

describe('createTimeoutFetch', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res: ServerResponse) => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/silent') return; // never answers
      if (path === '/stall') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first ');
        return; // then nothing more
      }
      if (path === '/steady') {
        // 8 chunks 40 ms apart: 320 ms in all, never 100 ms of silence.
        res.writeHead(200, { 'content-type': 'text/plain' });
        let sent = 0;
        const timer = setInterval(() => {
          res.write(`${sent} `);
          if (++sent === 8) {
            clearInterval(timer);
            res.end();
          }
        }, 40);
        return;
      }
      res.writeHead(204).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fails a server that never answers with a ModelTimeoutError naming the URL, without its query', async () => {
    const started = performance.now();
    const error = await createTimeoutFetch(100)(`${base}/silent?key=secret-value`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelTimeoutError);
    expect(error).toMatchObject({ code: 'timeout', timeoutMs: 100, url: `${base}/silent`, message: `no answer from ${base}/silent within 100 ms` });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('fails a response whose body stalls', async () => {
    const response = await createTimeoutFetch(100)(`${base}/stall`);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toBeInstanceOf(ModelTimeoutError);
  });

  it('lets a long answer through as long as it keeps coming', async () => {
    const response = await createTimeoutFetch(100)(`${base}/steady`);
    expect(await response.text()).toBe('0 1 2 3 4 5 6 7 ');
  });

  it('leaves the caller’s own abort as it is', async () => {
    const controller = new AbortController();
    const pending = createTimeoutFetch(5_000)(`${base}/silent`, { signal: controller.signal });
    controller.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow('caller gave up');
    await expect(createTimeoutFetch(5_000)(`${base}/silent`, { signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
  });

  it('passes responses without a body through', async () => {
    expect((await createTimeoutFetch(1_000)(`${base}/empty`)).status).toBe(204);
  });

  it('uses the fetch it is given', async () => {
    const seen: string[] = [];
    const fake: typeof fetch = async (input) => {
      seen.push(String(input));
      return new Response('ok');
    };
    expect(await (await createTimeoutFetch(1_000, fake)('http://example.invalid/x')).text()).toBe('ok');
    expect(seen).toEqual(['http://example.invalid/x']);
  });
});
