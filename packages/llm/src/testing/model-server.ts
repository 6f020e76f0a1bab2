import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a loopback model server received, with what tests usually check pulled out. */
export interface ModelRequest {
  /** 0 for the first request this server saw, then 1, 2… */
  index: number;
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (`{}` when there is none). */
  body: any;
  /** `body.model`. */
  model: string;
  /** The system prompt, whichever way the protocol carries it (several parts joined with `\n`). */
  system: string;
  /** Text of the last user message. */
  lastUserMessage: string;
  /** Tool results sent after the last user message: the model is being asked to continue. */
  toolResults: unknown[];
  /** Names of the tools the request offers. */
  tools: string[];
}

/** Token counts to report, in kaged's meaning: `input` counts every input token, cached ones included. */
export interface ReplyUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}

/** A streamed answer: text, tool calls or both, then usage (default `{ input: 10, output: 5 }`). */
export interface StreamReply {
  text?: string;
  toolCalls?: { name: string; input?: unknown; id?: string }[];
  usage?: ReplyUsage;
}

/** An HTTP error in the protocol's own error format. */
export interface ErrorReply {
  error: { status: number; message: string; type?: string; code?: string };
  headers?: Record<string, string>;
}

/** Never answer: the connection stays open until the client gives up or the server closes. */
export interface HangReply {
  hang: true;
}

/** How the server answers one request. */
export type ModelReply = StreamReply | ErrorReply | HangReply;

export type ModelReplyHandler = (request: ModelRequest) => ModelReply | Promise<ModelReply>;

export interface LoopbackModelServer {
  /** The base URL to configure, ending in `/v1`. */
  readonly baseURL: string;
  /** Every request received, in order. */
  readonly requests: ModelRequest[];
  /** Replaces the reply handler. */
  reply(handler: ModelReplyHandler): void;
  /** Stops the server, cutting open (hanging) connections. */
  close(): Promise<void>;
}

export interface ProtocolAdapter {
  /** The one path the protocol serves, e.g. `/v1/chat/completions`. */
  path: string;
  describe(body: any): Pick<ModelRequest, 'system' | 'lastUserMessage' | 'toolResults' | 'tools'>;
  writeError(res: ServerResponse, error: ErrorReply['error'], headers: Record<string, string>): void;
  writeStream(res: ServerResponse, request: ModelRequest, reply: StreamReply, callIndex: number): void;
}

/** A `node:http` server on 127.0.0.1, port chosen by the system, speaking one model protocol. */
export async function startModelServer(adapter: ProtocolAdapter, handler: ModelReplyHandler): Promise<LoopbackModelServer> {
  let current = handler;
  const requests: ModelRequest[] = [];
  let calls = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        let body: any = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          body = {};
        }
        const request: ModelRequest = {
          index: requests.length,
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          headers: req.headers,
          body,
          model: typeof body.model === 'string' ? body.model : '',
          ...adapter.describe(body),
        };
        requests.push(request);
        if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== adapter.path) {
          adapter.writeError(res, { status: 404, message: `no route ${req.method} ${req.url}`, type: 'not_found_error' }, {});
          return;
        }
        const reply = await current(request);
        if ('hang' in reply) return;
        if ('error' in reply) {
          adapter.writeError(res, reply.error, reply.headers ?? {});
          return;
        }
        adapter.writeStream(res, request, reply, calls++);
      })().catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`loopback model server failed: ${String(error)}`);
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    reply(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Splits a text into word-sized pieces, as a streaming model sends it. */
export function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** A base URL on 127.0.0.1 where nothing listens (a port just bound and released). */
export async function unusedLoopbackURL(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}
