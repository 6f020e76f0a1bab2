import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

/** An in-memory destination: pino writes one JSON line per call, synchronously, to `write`. */
function memoryDestination(): { write(line: string): void; lines: string[]; records(): Record<string, unknown>[] } {
  const lines: string[] = [];
  return {
    lines,
    write(line: string) {
      lines.push(line);
    },
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CANARY = 'sk-CANARY-0123456789-do-not-log';

describe('createLogger', () => {
  it('writes one JSON line per call with a level label, name, msg and ISO time', () => {
    const out = memoryDestination();
    const logger = createLogger({ destination: out });
    const before = Date.now();
    logger.info({ turnId: 't1', tokens: 42 }, 'turn finished');
    const after = Date.now();

    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]!.endsWith('\n')).toBe(true);
    expect(out.lines[0]!.slice(0, -1)).not.toContain('\n');
    const [record] = out.records();
    expect(record).toEqual({
      level: 'info',
      time: expect.stringMatching(ISO_TIME),
      pid: process.pid,
      hostname: expect.any(String),
      name: 'kaged',
      turnId: 't1',
      tokens: 42,
      msg: 'turn finished',
    });
    const time = Date.parse(record!.time as string);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(after);
  });

  it('uses the given name and labels every level', () => {
    const out = memoryDestination();
    const logger = createLogger({ destination: out, name: 'kaged-test', level: 'trace' });
    logger.trace('t');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    logger.fatal('f');
    expect(out.records().map((r) => [r.level, r.name, r.msg])).toEqual([
      ['trace', 'kaged-test', 't'],
      ['debug', 'kaged-test', 'd'],
      ['info', 'kaged-test', 'i'],
      ['warn', 'kaged-test', 'w'],
      ['error', 'kaged-test', 'e'],
      ['fatal', 'kaged-test', 'f'],
    ]);
  });

  it('defaults to level info: debug and trace are dropped', () => {
    const out = memoryDestination();
    const logger = createLogger({ destination: out });
    expect(logger.level).toBe('info');
    logger.trace('no');
    logger.debug('no');
    logger.info('yes');
    expect(out.records().map((r) => r.msg)).toEqual(['yes']);
  });

  it('adds child bindings such as component to every line', () => {
    const out = memoryDestination();
    const logger = createLogger({ destination: out }).child({ component: 'http' });
    logger.warn({ status: 503 }, 'upstream down');
    expect(out.records()).toEqual([expect.objectContaining({ level: 'warn', name: 'kaged', component: 'http', status: 503, msg: 'upstream down' })]);
  });

  it('writes nothing at level silent', () => {
    const out = memoryDestination();
    const logger = createLogger({ destination: out, level: 'silent' });
    logger.fatal('f');
    logger.error({ apiKey: CANARY }, 'e');
    logger.info('i');
    logger.child({ component: 'x' }).error('child');
    expect(out.lines).toEqual([]);
  });

  it('writes to a Node Writable stream', async () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString('utf8'));
        callback();
      },
    });
    const logger = createLogger({ destination: stream });
    logger.info('via writable');
    await new Promise<void>((resolve) => stream.end(resolve));
    expect(
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { msg: string }).msg),
    ).toEqual(['via writable']);
  });
});

describe('createLogger: redaction', () => {
  it('censors the documented secret fields and never prints the secret', () => {
    const out = memoryDestination();
    const logger = createLogger({ destination: out });
    logger.info(
      {
        apiKey: CANARY,
        token: CANARY,
        secretKey: CANARY,
        publicKey: CANARY,
        password: CANARY,
        authorization: CANARY,
        provider: { name: 'local', apiKey: CANARY, baseURL: 'http://127.0.0.1:11434/v1' },
        headers: { authorization: `Bearer ${CANARY}`, accept: 'application/json' },
        request: { headers: { authorization: `Bearer ${CANARY}` }, token: CANARY },
        config: { providers: { apiKey: CANARY } },
        user: { password: CANARY, secretKey: CANARY, publicKey: CANARY, name: 'ada' },
      },
      'configured',
    );
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).not.toContain(CANARY);
    expect(out.lines[0]).not.toContain('CANARY');
    const [record] = out.records();
    expect(record).toMatchObject({
      apiKey: '[redacted]',
      token: '[redacted]',
      secretKey: '[redacted]',
      publicKey: '[redacted]',
      password: '[redacted]',
      authorization: '[redacted]',
      provider: { name: 'local', apiKey: '[redacted]', baseURL: 'http://127.0.0.1:11434/v1' },
      headers: { authorization: '[redacted]', accept: 'application/json' },
      request: { headers: { authorization: '[redacted]' }, token: '[redacted]' },
      config: { providers: { apiKey: '[redacted]' } },
      user: { password: '[redacted]', secretKey: '[redacted]', publicKey: '[redacted]', name: 'ada' },
      msg: 'configured',
    });
  });

  it('censors secrets in child bindings too', () => {
    const out = memoryDestination();
    const logger = createLogger({ destination: out }).child({ component: 'llm', apiKey: CANARY });
    logger.info({ provider: { apiKey: CANARY } }, 'resolved');
    expect(out.lines.join('')).not.toContain(CANARY);
    expect(out.records()[0]).toMatchObject({ component: 'llm', apiKey: '[redacted]', provider: { apiKey: '[redacted]' } });
  });

  it('does not mutate the logged object', () => {
    const out = memoryDestination();
    const logger = createLogger({ destination: out });
    const fields = { apiKey: CANARY, provider: { apiKey: CANARY } };
    logger.info(fields, 'x');
    expect(fields).toEqual({ apiKey: CANARY, provider: { apiKey: CANARY } });
  });

  it('leaves fields outside the redacted paths alone', () => {
    const out = memoryDestination();
    const logger = createLogger({ destination: out });
    logger.info({ tokens: 12, tokenCount: 3, apiKeyName: 'OPENAI_API_KEY', model: 'local/m' }, 'usage');
    expect(out.records()[0]).toMatchObject({ tokens: 12, tokenCount: 3, apiKeyName: 'OPENAI_API_KEY', model: 'local/m' });
  });
});
