import { defineConfig } from 'tsup';
import { lazyModelRegistry } from './scripts/lazy-model-registry.js';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node22',
  },
  {
    // The CLI is bundled with what it imports: one module graph of a few dozen chunks instead
    // of thousands of files found through node_modules starts faster and takes less memory
    // (bench/footprint.mjs). Splitting keeps lazy imports lazy: Langfuse, PostgreSQL and MCP
    // load only for a project that uses them.
    entry: ['src/cli.ts'],
    format: ['esm'],
    platform: 'node',
    // Maps of the bundled dependencies would add 46 MB to the package; the chunks are not minified.
    sourcemap: false,
    target: 'node22',
    splitting: true,
    // Everything but what stays in node_modules: the LibSQL client finds its native binary
    // beside its own package, and pg's optional native binding is never installed.
    noExternal: [/^(?!@libsql\/|libsql$|pg-native$)/],
    external: ['@libsql/client', 'pg-native'],
    esbuildPlugins: [lazyModelRegistry()],
    // V8 keeps every module's source text for Function.prototype.toString: without comments and
    // whitespace the bundle is 30 % smaller, which is 17 MB less resident memory at idle and a
    // faster compile (bench/footprint.mjs). Names are kept, so stack traces still name functions.
    minifyWhitespace: true,
    minifySyntax: true,
    banner: {
      // Bundled CommonJS code calls require() for Node's built-ins; an ES module has none.
      js: "#!/usr/bin/env node\nimport { createRequire as __kagedCreateRequire } from 'node:module';\nconst require = __kagedCreateRequire(import.meta.url);",
    },
  },
]);
