import { spawn } from 'node:child_process';
import { createLogger } from '@kaged/observability';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { McpStderrLog, openStderrPipe } from './mcp-stderr.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } }).child({ component: 'mcp', server: 'files' });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, any>);
  return {
    logger,
    records,
    logged: () =>
      records()
        .filter((r) => r.msg === 'mcp.server_stderr')
        .map((r) => r.line as string),
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('McpStderrLog', () => {
  it('logs whole lines, however the chunks fall, and skips blank ones', () => {
    const { logger, logged, records } = capture();
    const log = new McpStderrLog({ logger });
    log.write('first li');
    log.write('ne\r\nsecond line\n\n   \nthi');
    log.write('rd');
    expect(logged()).toEqual(['first line', 'second line']);
    log.end();
    expect(logged()).toEqual(['first line', 'second line', 'third']);
    expect(records()[0]).toMatchObject({ level: 'info', component: 'mcp', server: 'files' });
  });

  it('cuts a long line, saying how much was left out, without holding more than the cut in memory', () => {
    const { logger, logged } = capture();
    const log = new McpStderrLog({ logger, maxLineChars: 10 });
    log.write('a'.repeat(5000));
    log.write(`${'b'.repeat(5000)}\n`);
    expect(logged()).toEqual([`${'a'.repeat(10)}…[truncated 9990 chars]`]);
  });

  it("censors the server's secrets before cutting, so no part of one survives the cut", () => {
    const { logger, logged } = capture();
    const secret = 'server-secret-0123456789';
    const log = new McpStderrLog({ logger, maxLineChars: 20, secrets: [secret] });
    // The secret straddles the cut at 20 characters.
    log.write(`${'x'.repeat(12)}${secret} and more\n`);
    expect(logged()).toEqual([`${'x'.repeat(12)}[redacte…[truncated 11 chars]`]);
    expect(logged().join('')).not.toContain('server-s');
  });

  it('logs at most maxLines per window and counts the rest in one warning when the window closes', () => {
    vi.useFakeTimers();
    const { logger, logged, records } = capture();
    const log = new McpStderrLog({ logger, maxLines: 3, windowMs: 1000 });
    for (let i = 0; i < 10; i++) log.write(`line ${i}\n`);
    expect(logged()).toEqual(['line 0', 'line 1', 'line 2']);
    expect(records().some((r) => r.msg === 'mcp.server_stderr_dropped')).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(records().filter((r) => r.msg === 'mcp.server_stderr_dropped')).toEqual([
      expect.objectContaining({ level: 'warn', dropped: 7, maxLines: 3, windowMs: 1000, server: 'files' }),
    ]);
    log.write('line 10\n');
    expect(logged().at(-1)).toBe('line 10');
  });
});

describe('openStderrPipe', () => {
  it('hands a child process a stderr whose lines reach the log, the ones before it fails included', async () => {
    const { logger, logged } = capture();
    const pipe = await openStderrPipe(new McpStderrLog({ logger }));
    const child = spawn(process.execPath, ['-e', 'console.error("cannot start: no such folder"); process.exit(3)'], {
      stdio: ['ignore', 'ignore', pipe.writable],
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(3);
    await pipe.close();
    expect(logged()).toEqual(['cannot start: no such folder']);
  });
});
