// Copies the web console's build (apps/console/dist) into dist/console, so the kaged package
// serves it from its own files (src/server/routes/console.ts). Builds the console first when it
// was not built, so `pnpm --filter kaged build` alone gives a complete package.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const daemonDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const consoleDir = resolve(daemonDir, '../console');
const built = join(consoleDir, 'dist');
const target = join(daemonDir, 'dist', 'console');

// The console is a Vite build (apps/console/vite.config.ts): index.html, hashed files under
// assets/, and manifest.json with the sizes. A build from before the Preact port (tsup) has no
// `firstPage` in its manifest and is rebuilt.
const manifestOf = (dir) => (existsSync(join(dir, 'manifest.json')) ? JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) : undefined);
if (!existsSync(join(built, 'index.html')) || !manifestOf(built)?.firstPage || process.env.KAGED_REBUILD_CONSOLE === '1') {
  const vite = join(dirname(createRequire(join(consoleDir, 'package.json')).resolve('vite/package.json')), 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build'], { cwd: consoleDir, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`building the console (apps/console) failed with exit ${result.status}`);
}
rmSync(target, { recursive: true, force: true });
cpSync(built, target, { recursive: true });
const { files, firstPage } = manifestOf(target);
const total = files.reduce((sum, f) => sum + f.bytes, 0);
const gzip = files.reduce((sum, f) => sum + f.gzipBytes, 0);
console.log(
  `console: ${files.length} files, ${total} bytes (${gzip} gzipped); first-page JS ${firstPage.bytes} bytes (${firstPage.gzipBytes} gzipped) -> dist/console`,
);
