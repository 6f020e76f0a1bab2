import { defineConfig } from 'tsup';
import { asciiBundle } from './scripts/ascii-bundle.js';
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
    // The CLI is bundled with what it imports into one CommonJS script, dist/kaged.cjs, which the
    // launcher below compiles with a V8 code cache made after a start (src/launcher/): one file
    // instead of thousands found through node_modules, and almost nothing left to compile at a
    // restart (bench/footprint.mjs). What `start` imports lazily (Langfuse, PostgreSQL, MCP) is
    // still evaluated only for a project that uses it.
    entry: { kaged: 'src/cli.ts' },
    format: ['cjs'],
    platform: 'node',
    // Maps of the bundled dependencies would add 46 MB to the package; the bundle is not minified.
    sourcemap: false,
    target: 'node22',
    splitting: false,
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
    // The bundled ES modules' import.meta, in a CommonJS script: the bundle's own file, as each
    // of them would see its own file in an ES module bundle.
    define: { 'import.meta.url': '__kagedImportMetaUrl', 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' },
    // "use strict" first: esbuild's own directive, after a banner, would be a plain string, and the
    // bundled ES modules would run in sloppy mode.
    banner: { js: "'use strict';const __kagedImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    onSuccess: () => asciiBundle('dist/kaged.cjs'),
  },
  {
    // dist/cli.js, the `kaged` command: Node built-ins only, so it starts at once.
    entry: { cli: 'src/launcher/cli-launcher.ts' },
    format: ['esm'],
    platform: 'node',
    sourcemap: false,
    target: 'node22',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
