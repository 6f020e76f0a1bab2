import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, Script } from 'node:vm';
import type { CliHooks, CodeCacheState, runCli as RunCli } from '../cli.js';
import { type CodeCache, codeCacheKey, openCodeCache } from './code-cache.js';

// `kaged` itself (dist/cli.js): runs the CLI bundle (dist/kaged.cjs, src/cli.ts and all it
// imports in one CommonJS script) with a V8 code cache made after a start (code-cache.ts).
// Node's compile cache stays on for what the bundle loads from node_modules (LibSQL's client);
// NODE_DISABLE_COMPILE_CACHE=1 turns both off, NODE_COMPILE_CACHE moves both.
module.enableCompileCache?.();

const bundle = join(dirname(fileURLToPath(import.meta.url)), 'kaged.cjs');
const { script, state, cache } = compile();

/**
 * The bundle compiled with the code cache, if there is one. Inside a function: the file's bytes
 * and the cache's buffer (megabytes each) are garbage once it returns; V8 keeps the source.
 */
function compile(): { script: Script; state: CodeCacheState; cache: CodeCache | undefined } {
  const bytes = readFileSync(bundle);
  // The build makes the bundle ASCII (scripts/ascii-bundle.ts): read as latin1, nothing is decoded.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const cacheDir = module.getCompileCacheDir?.();
  const cache = cacheDir
    ? openCodeCache(
        join(cacheDir, 'kaged'),
        codeCacheKey(bytes, { version: process.version, arch: process.arch, execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS }),
      )
    : undefined;
  const cachedData = cache?.read();
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    cachedData,
    // The bundle's own import() calls (Node built-ins, the LibSQL client) resolve as in any module.
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const state = !cache ? 'off' : !cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted';
  return { script, state, cache };
}

const loaded = { exports: {} as { runCli?: typeof RunCli } };
(script.runInThisContext() as (...args: unknown[]) => void)(loaded.exports, createRequire(bundle), loaded, bundle, dirname(bundle));

const hooks: CliHooks = {
  codeCache: {
    state,
    file: cache?.file,
    save: () => {
      if (!cache) return undefined;
      const startedAt = performance.now();
      const data = script.createCachedData();
      cache.save(data);
      return { bytes: data.length, ms: Math.round(performance.now() - startedAt) };
    },
  },
};
loaded.exports.runCli!(process.argv.slice(2), hooks);
