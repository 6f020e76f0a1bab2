import { describe, expect, it } from 'vitest';
import { LogRing } from './log-ring.js';
import { createLogger } from './logger.js';
import { SecretValues } from './secret-values.js';

const KEY = 'sk-live-CANARY-7f3a9b2c';

describe('SecretValues', () => {
  it('censors known values anywhere in a line: message, fields, error stacks, bindings', () => {
    const secrets = new SecretValues();
    const lines: string[] = [];
    const ring = new LogRing();
    const logger = createLogger({ secrets, ring, destination: { write: (l: string) => void lines.push(l) } });
    secrets.add(KEY, 'short', undefined);
    const child = logger.child({ upstream: `Bearer ${KEY}` });
    child.error({ body: `{"error":"Incorrect API key provided: ${KEY}"}`, err: new Error(`401 for key ${KEY}`) }, `call failed with ${KEY}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(KEY);
    expect(lines[0]).toContain('Incorrect API key provided: [redacted]');
    expect(JSON.stringify(ring.query())).not.toContain(KEY);
    expect(secrets.size).toBe(1);
  });

  it('censors a value containing another one whole, and applies values added later', () => {
    const secrets = new SecretValues();
    secrets.add('abcdefgh');
    expect(secrets.scrub('x abcdefgh y')).toBe('x [redacted] y');
    secrets.add('abcdefgh-longer');
    expect(secrets.scrub('abcdefgh-longer')).toBe('[redacted]');
  });
});
