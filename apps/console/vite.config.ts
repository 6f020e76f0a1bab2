import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';

const outDir = 'dist';

/**
 * Writes dist/manifest.json: every file the daemon serves with its size and gzipped size, and
 * the JavaScript the first page loads (the entry chunk and its static imports; lazy chunks are
 * not counted). The daemon's embed script prints it; the console test checks the 150 KB budget.
 */
function sizeManifest(): Plugin {
  const firstPage: string[] = [];
  return {
    name: 'kaged-size-manifest',
    apply: 'build',
    generateBundle(_options, bundle) {
      const entry = Object.values(bundle).find((file) => file.type === 'chunk' && file.isEntry);
      if (entry?.type !== 'chunk') throw new Error('console build: no entry chunk');
      const seen = new Set<string>();
      const visit = (name: string) => {
        if (seen.has(name)) return;
        seen.add(name);
        const chunk = bundle[name];
        if (chunk?.type === 'chunk') for (const next of chunk.imports) visit(next);
      };
      visit(entry.fileName);
      firstPage.splice(0, firstPage.length, ...seen);
    },
    writeBundle(_options, bundle) {
      const files = ['index.html', ...Object.keys(bundle).filter((name) => name.startsWith('assets/'))].map((file) => {
        const content = readFileSync(join(outDir, file));
        return { file, bytes: content.length, gzipBytes: gzipSync(content).length };
      });
      const js = files.filter((f) => firstPage.includes(f.file));
      const manifest = {
        files,
        firstPage: { js: js.map((f) => f.file), bytes: js.reduce((sum, f) => sum + f.bytes, 0), gzipBytes: js.reduce((sum, f) => sum + f.gzipBytes, 0) },
      };
      writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    },
  };
}

/**
 * A static build: index.html naming one module script and one stylesheet, content-hashed so the
 * daemon caches them for a year. No inline script or style anywhere: the daemon serves the console
 * with a Content-Security-Policy of `default-src 'self'` (apps/daemon/src/server/routes/console.ts).
 */
/**
 * `pnpm --filter @kaged/console dev`: the console with hot reload, its API calls passed to a
 * running daemon (KAGED_URL, default http://127.0.0.1:7420). The daemon refuses cross-origin
 * requests, so the proxy drops the dev server's Origin. Dev mode only: the build is what ships.
 */
const daemon = process.env.KAGED_URL ?? 'http://127.0.0.1:7420';
const proxy = Object.fromEntries(
  ['/v1', '/metrics', '/readyz', '/healthz'].map((path) => [
    path,
    {
      target: daemon,
      changeOrigin: true,
      configure: (server: { on(event: 'proxyReq', listener: (request: { removeHeader(name: string): void }) => void): void }) =>
        server.on('proxyReq', (request) => request.removeHeader('origin')),
    },
  ]),
);

export default defineConfig({
  plugins: [preact({ devtoolsInProd: false }), sizeManifest()],
  server: { proxy },
  base: '/',
  publicDir: false,
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    // Vite's modulepreload polyfill is for browsers older than the ones the console supports.
    modulePreload: { polyfill: false },
    // Everything is a file under /assets/: a data: URL would need img-src/font-src data:.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        entryFileNames: 'assets/app-[hash:10].js',
        chunkFileNames: 'assets/[name]-[hash:10].js',
        assetFileNames: 'assets/app-[hash:10][extname]',
        hashCharacters: 'hex',
      },
    },
  },
});
