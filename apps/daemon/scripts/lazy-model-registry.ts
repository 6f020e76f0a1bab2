import { readFile } from 'node:fs/promises';
import type { Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * `@mastra/core` builds its model router's provider table when it is imported: the module that
 * defines the default gateways filters the whole static registry (hundreds of providers) for
 * `models.dev` right away, and the registry's first use also syncs a cache under the home
 * directory. That is about a fifth of a kaged start, for a table kaged never reads: its models
 * come from `@kaged/llm` as AI SDK model objects, never as `provider/model` strings.
 *
 * This plugin, for the bundled CLI only, makes that one expression lazy: the gateway computes
 * its providers on first read of `providerConfigs`, exactly as before, only later. The build
 * fails if the expression is not found, so a Mastra upgrade that moves it is noticed, not
 * silently slower.
 */
const EAGER = 'new ModelsDevGateway(getStaticProvidersByGateway(`models.dev`))';
const LAZY = [
  '((gateway) => {',
  '  let providers;',
  "  Object.defineProperty(gateway, 'providerConfigs', {",
  '    configurable: true,',
  '    enumerable: true,',
  '    get: () => (providers ??= getStaticProvidersByGateway(`models.dev`)),',
  '    set: (value) => { providers = value; },',
  '  });',
  '  return gateway;',
  '})(new ModelsDevGateway())',
].join('\n');

/** The module's source with the gateway made lazy, or `undefined` when it is not that module. */
export function makeRegistryLazy(source: string): string | undefined {
  return source.includes(EAGER) ? source.replace(EAGER, LAZY) : undefined;
}

/** Which files of `@mastra/core` can hold the expression. */
export const MODULE_FILTER = /[\\/]@mastra[\\/]core[\\/]dist[\\/]llm-[^\\/]+\.js$/;

export function lazyModelRegistry(): Plugin {
  return {
    name: 'kaged-lazy-model-registry',
    setup(build) {
      let patched = 0;
      build.onStart(() => {
        patched = 0;
      });
      build.onLoad({ filter: MODULE_FILTER }, async (args) => {
        const lazy = makeRegistryLazy(await readFile(args.path, 'utf8'));
        if (lazy === undefined) return undefined;
        patched++;
        return { contents: lazy, loader: 'js' };
      });
      build.onEnd((result) => {
        if (result.errors.length > 0 || patched === 1) return;
        result.errors.push({
          id: 'lazy-model-registry',
          pluginName: 'kaged-lazy-model-registry',
          text: `expected to make Mastra's models.dev gateway lazy in exactly one module, did so in ${patched}: update apps/daemon/scripts/lazy-model-registry.ts for this @mastra/core`,
          location: null,
          notes: [],
          detail: undefined,
        });
      });
    },
  };
}
