import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineConfig } from 'tsup';

const outDir = 'dist';
const assets = join(outDir, 'assets');

/**
 * One script and one stylesheet, content-hashed so the daemon can cache them for a year, and an
 * index.html that names them. No inline script or style: the daemon serves the console with a
 * Content-Security-Policy of `default-src 'self'`.
 */
export default defineConfig({
  entry: { app: 'src/main.ts' },
  outDir: assets,
  format: ['iife'],
  platform: 'browser',
  target: 'es2022',
  minify: true,
  clean: true,
  sourcemap: false,
  dts: false,
  // Names come from the content hash below (tsup's own naming has no hash for iife builds).
  outExtension: () => ({ js: '.js' }),
  async onSuccess() {
    const hashed: Record<string, string> = {};
    for (const file of readdirSync(assets)) {
      const match = /^(app)\.(js|css)$/.exec(file);
      if (!match) continue;
      const content = readFileSync(join(assets, file));
      const name = `${match[1]}-${createHash('sha256').update(content).digest('hex').slice(0, 10)}.${match[2]}`;
      renameSync(join(assets, file), join(assets, name));
      hashed[match[2]!] = name;
    }
    if (!hashed.js || !hashed.css) throw new Error(`console build: expected app.js and app.css in ${assets}, found ${readdirSync(assets).join(', ')}`);
    const html = readFileSync('src/index.html', 'utf8').replace('%CSS%', `/assets/${hashed.css}`).replace('%JS%', `/assets/${hashed.js}`);
    writeFileSync(join(outDir, 'index.html'), html);
    const files = ['index.html', ...Object.values(hashed).map((name) => `assets/${name}`)];
    const sizes = files.map((file) => {
      const content = readFileSync(join(outDir, file));
      return { file, bytes: statSync(join(outDir, file)).size, gzipBytes: gzipSync(content).length };
    });
    writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify({ files: sizes }, null, 2)}\n`);
  },
});
