import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretScrubber } from '@kaged/core';
import type { Logger } from '@kaged/observability';

export interface McpStderrLogOptions {
  /** The server's logger (`component: mcp`, `server: <name>`). */
  logger: Logger;
  /** Values the server was given (its `env:`): censored before a line is cut, so no half of one survives. */
  secrets?: Iterable<string> | undefined;
  /** Longer lines are cut, with the count of what was left out. Default 1000. */
  maxLineChars?: number | undefined;
  /** At most this many lines per window; the rest are counted in one warning. Default 50. */
  maxLines?: number | undefined;
  /** Default 10 s. */
  windowMs?: number | undefined;
}

/** Room past the cut for a secret that straddles it: censored whole, then cut. */
const SECRET_SLACK = 512;

/**
 * A local MCP server's stderr as log lines (`mcp.server_stderr`, info: servers write their
 * start-up banner and their failures there), bounded: each line cut to `maxLineChars`, at most
 * `maxLines` lines per window, the rest counted in one `mcp.server_stderr_dropped` warning. The
 * server's own secrets are censored here, before a line is cut; the logger's destination
 * censors every secret of the project once more (SecretValues).
 */
export class McpStderrLog {
  readonly #log: Logger;
  readonly #scrubber: SecretScrubber;
  readonly #maxLineChars: number;
  readonly #maxLines: number;
  readonly #windowMs: number;
  /** The start of the line being read, at most `maxLineChars + SECRET_SLACK` characters. */
  #head = '';
  /** Characters of that line past `#head`, read and let go. */
  #overflow = 0;
  #windowStart = 0;
  #lines = 0;
  #dropped = 0;
  #report: NodeJS.Timeout | undefined;

  constructor(options: McpStderrLogOptions) {
    this.#log = options.logger;
    this.#scrubber = new SecretScrubber(options.secrets ?? []);
    this.#maxLineChars = options.maxLineChars ?? 1000;
    this.#maxLines = options.maxLines ?? 50;
    this.#windowMs = options.windowMs ?? 10_000;
  }

  /** A chunk of stderr, as text; lines are logged once they end. */
  write(chunk: string): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf('\n', start);
      this.#append(chunk.slice(start, newline === -1 ? undefined : newline));
      if (newline === -1) return;
      this.#endLine();
      start = newline + 1;
    }
  }

  /** The stream ended: a last line without a newline is logged too, and any drop count. */
  end(): void {
    this.#endLine();
    this.#reportDropped();
  }

  #append(part: string): void {
    const room = this.#maxLineChars + SECRET_SLACK - this.#head.length;
    if (part.length <= room) {
      this.#head += part;
      return;
    }
    this.#head += part.slice(0, Math.max(0, room));
    this.#overflow += part.length - Math.max(0, room);
  }

  #endLine(): void {
    const raw = this.#head.replace(/\r$/, '');
    const overflow = this.#overflow;
    this.#head = '';
    this.#overflow = 0;
    if (raw.trim() === '' && overflow === 0) return;
    const scrubbed = this.#scrubber.scrub(raw);
    const cut = Math.max(0, scrubbed.length - this.#maxLineChars) + overflow;
    const line = cut > 0 ? `${scrubbed.slice(0, this.#maxLineChars)}…[truncated ${cut} chars]` : scrubbed;
    this.#emit(line);
  }

  #emit(line: string): void {
    const now = Date.now();
    if (now - this.#windowStart >= this.#windowMs) {
      this.#reportDropped();
      this.#windowStart = now;
      this.#lines = 0;
    }
    if (this.#lines < this.#maxLines) {
      this.#lines++;
      this.#log.info({ line }, 'mcp.server_stderr');
      return;
    }
    this.#dropped++;
    // Said when the window closes, whether or not the server writes again.
    this.#report ??= setTimeout(() => this.#reportDropped(), this.#windowStart + this.#windowMs - now).unref();
  }

  #reportDropped(): void {
    clearTimeout(this.#report);
    this.#report = undefined;
    if (this.#dropped === 0) return;
    this.#log.warn({ dropped: this.#dropped, maxLines: this.#maxLines, windowMs: this.#windowMs }, 'mcp.server_stderr_dropped');
    this.#dropped = 0;
  }
}

/** The write end goes to a child as its stderr; what it writes reaches `log`. */
export interface StderrPipe {
  /** For `spawn`'s stdio (Mastra's `stderr` option): a socket, so the child gets a descriptor of it. */
  readonly writable: Socket;
  close(): Promise<void>;
}

/**
 * A pipe for a local server's stderr, open before the server starts: what it writes while
 * failing to start is the most useful part, and Mastra's own `stderr: 'pipe'` stream is out of
 * reach until a connection has succeeded. A Unix socket pair in a private temporary directory
 * (Node has no `pipe()`); the same pipe serves the children Mastra starts again after a crash.
 */
export async function openStderrPipe(log: McpStderrLog): Promise<StderrPipe> {
  const dir = await mkdtemp(join(tmpdir(), 'kaged-mcp-'));
  const path = join(dir, 'stderr.sock');
  const server = createServer();
  try {
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, resolve);
    });
    const writable = connect(path);
    await new Promise<void>((resolve, reject) => {
      writable.once('error', reject);
      writable.once('connect', resolve);
    });
    const readable = await accepted;
    // Only the children write: the daemon's end is never read from or written to.
    writable.on('error', () => {});
    readable.on('error', () => {});
    readable.setEncoding('utf8');
    readable.on('data', (chunk: string) => log.write(chunk));
    const ended = new Promise<void>((resolve) => readable.once('close', () => resolve()));
    readable.once('end', () => log.end());
    return {
      writable,
      async close() {
        writable.destroy();
        // What the children wrote before they exited is read to its end, bounded.
        await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 500).unref())]);
        readable.destroy();
        log.end();
      },
    };
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
