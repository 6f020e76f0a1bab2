import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRegistryLazy, MODULE_FILTER } from '../scripts/lazy-model-registry.js';

describe('the bundled CLI makes Mastra’s models.dev gateway lazy', () => {
  it('finds the eager expression in exactly one module of the installed @mastra/core', () => {
    const dist = join(dirname(createRequire(import.meta.url).resolve('@mastra/core/package.json')), 'dist');
    const patched = readdirSync(dist)
      .map((name) => join(dist, name))
      .filter((path) => MODULE_FILTER.test(path))
      .filter((path) => makeRegistryLazy(readFileSync(path, 'utf8')) !== undefined);
    expect(patched, 'the build fails the same way: update scripts/lazy-model-registry.ts').toHaveLength(1);
  });

  it('keeps the gateway’s behaviour: the providers are computed on first read, once, and can be set', () => {
    const module = `
      class ModelsDevGateway { id = 'models.dev'; providerConfigs = {}; constructor(configs) { if (configs) this.providerConfigs = configs; } }
      let calls = 0;
      function getStaticProvidersByGateway(name) { calls++; return { openai: { gateway: name } }; }
      const defaultGateways = [new ModelsDevGateway(getStaticProvidersByGateway(\`models.dev\`))];
      return { gateway: defaultGateways[0], calls: () => calls };`;
    const lazy = makeRegistryLazy(module);
    expect(lazy).toBeDefined();
    const { gateway, calls } = new Function(lazy!)() as { gateway: { id: string; providerConfigs: unknown }; calls: () => number };
    expect(gateway.id).toBe('models.dev');
    expect(calls()).toBe(0);
    expect(gateway.providerConfigs).toEqual({ openai: { gateway: 'models.dev' } });
    expect(gateway.providerConfigs).toBe(gateway.providerConfigs);
    expect(calls()).toBe(1);
    gateway.providerConfigs = { fetched: true };
    expect(gateway.providerConfigs).toEqual({ fetched: true });
    expect(makeRegistryLazy('const unrelated = 1;')).toBeUndefined();
  });
});
