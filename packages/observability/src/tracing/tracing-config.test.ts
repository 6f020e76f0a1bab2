import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  DEFAULT_MAX_AGE_DAYS,
  DEFAULT_MAX_TRACES,
  displayUrl,
  LANGFUSE_CLOUD_URL,
  resolveLangfuse,
  tracingSchema,
  type TracingConfig,
} from './tracing-config.js';

describe('resolveLangfuse', () => {
  const env = { LANGFUSE_PUBLIC_KEY: 'pk-env', LANGFUSE_SECRET_KEY: 'sk-env', LANGFUSE_BASE_URL: 'http://env.example:3000/' };

  it('is off with no keys anywhere, whatever else is set', () => {
    expect(resolveLangfuse(undefined, {})).toEqual({ state: 'off' });
    expect(resolveLangfuse({ baseUrl: 'http://x', realtime: true }, { LANGFUSE_BASE_URL: 'http://y' })).toEqual({ state: 'off' });
  });

  it('takes the environment when the config has nothing', () => {
    expect(resolveLangfuse(undefined, env)).toEqual({
      state: 'on',
      publicKey: 'pk-env',
      secretKey: 'sk-env',
      baseUrl: 'http://env.example:3000',
      realtime: false,
    });
  });

  it('lets every config value win over the environment', () => {
    expect(resolveLangfuse({ publicKey: 'pk-cfg', secretKey: 'sk-cfg', baseUrl: 'https://lf.example', realtime: true }, env)).toEqual({
      state: 'on',
      publicKey: 'pk-cfg',
      secretKey: 'sk-cfg',
      baseUrl: 'https://lf.example',
      realtime: true,
    });
    expect(resolveLangfuse({ secretKey: 'sk-cfg' }, env)).toMatchObject({ publicKey: 'pk-env', secretKey: 'sk-cfg' });
  });

  it('defaults the base URL to Langfuse Cloud', () => {
    expect(resolveLangfuse({ publicKey: 'pk', secretKey: 'sk' }, {})).toMatchObject({ baseUrl: LANGFUSE_CLOUD_URL });
  });

  it('reports which key is missing instead of half-configuring', () => {
    expect(resolveLangfuse({ publicKey: 'pk' }, {})).toEqual({ state: 'incomplete', missing: ['secretKey'] });
    expect(resolveLangfuse(undefined, { LANGFUSE_SECRET_KEY: 'sk' })).toEqual({ state: 'incomplete', missing: ['publicKey'] });
  });
});

describe('displayUrl', () => {
  it('drops credentials, query and fragment', () => {
    expect(displayUrl('https://user:pass@lf.example:8443/base?token=x#y')).toBe('https://lf.example:8443/base');
    expect(displayUrl('http://127.0.0.1:3000/')).toBe('http://127.0.0.1:3000');
    expect(displayUrl('not a url')).toBe('(invalid URL)');
  });
});

describe('tracingSchema', () => {
  it('applies every default to an empty section', () => {
    expect(tracingSchema.parse({})).toEqual({
      sampleRate: 1,
      redact: { inputs: false, outputs: false },
      flushEachTurn: false,
      detail: 'compact',
      tags: [],
      localTraces: { enabled: true, maxTraces: DEFAULT_MAX_TRACES, maxAgeDays: DEFAULT_MAX_AGE_DAYS },
      toolOutputMaxChars: 2000,
    });
    expect(tracingSchema.parse({ localTraces: { maxTraces: 5 }, langfuse: {} })).toMatchObject({
      localTraces: { enabled: true, maxTraces: 5, maxAgeDays: 7 },
      langfuse: { realtime: false },
    });
  });

  it('says what is wrong, field by field', () => {
    const issues = (value: unknown) => {
      const result = tracingSchema.safeParse(value);
      return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    expect(issues({ sampleRate: 2 })).toEqual(['sampleRate: sampleRate must be between 0 and 1']);
    expect(issues({ langfuse: { baseUrl: 'nope' } })).toEqual(['langfuse.baseUrl: baseUrl must be an http(s) URL such as https://cloud.langfuse.com']);
    expect(issues({ localTraces: { maxAgeDays: 0 } })).toEqual(['localTraces.maxAgeDays: Too small: expected number to be >0']);
  });

  it('gives what createTracing takes', () => {
    expectTypeOf(tracingSchema.parse({})).toExtend<TracingConfig>();
  });
});
