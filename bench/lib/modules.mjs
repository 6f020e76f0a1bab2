// How the benchmarks load code: the built workspace packages, and third-party packages exactly as
// an ESM import from apps/daemon resolves them, so a bare agent runs the daemon's module instances.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root. */
export const root = fileURLToPath(new URL('../..', import.meta.url));

/** Imports a built file of the workspace (`packages/llm/dist/index.js`…), saying how to build it. */
export function builtModule(relative) {
  return import(pathToFileURL(join(root, relative)).href).catch((error) => {
    throw new Error(`cannot load ${relative}: run "pnpm run build" at the repository root first (${error.message})`);
  });
}

/** The file URL `pkg` + `subpath` resolves to from apps/daemon (the "import" condition). */
export function resolveFromDaemon(pkg, subpath = '.') {
  const require = createRequire(join(root, 'apps/daemon/package.json'));
  let dir;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    // package.json not exported: walk up from the CommonJS entry point.
    dir = dirname(require.resolve(pkg));
  }
  while (readJson(join(dir, 'package.json'))?.name !== pkg) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package.json of ${pkg}`);
    dir = parent;
  }
  const manifest = readJson(join(dir, 'package.json'));
  const target =
    pickImport(manifest.exports?.[subpath] ?? (subpath === '.' ? manifest.exports : undefined)) ??
    (subpath === '.' ? (manifest.module ?? manifest.main) : undefined);
  if (!target) throw new Error(`${pkg} exports no ESM entry for "${subpath}"`);
  return pathToFileURL(join(dir, target)).href;
}

function pickImport(entry) {
  if (typeof entry === 'string') return entry;
  if (!entry || typeof entry !== 'object') return undefined;
  for (const condition of ['node', 'import', 'default']) {
    if (condition in entry) {
      const picked = pickImport(entry[condition]);
      if (picked) return picked;
    }
  }
  return undefined;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
