// Library consumers get working packages: pack every publishable package with pnpm (which
// rewrites `workspace:*` to real versions), install the tarballs into a clean project outside
// the repo, and load each one from plain Node with both `import` and `require`.
//
// Needs built dist/ folders (`pnpm run test:run` builds first) and pnpm on PATH (or run via pnpm).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Publishable {
  dir: string;
  name: string;
  /** a named export the package must expose */
  expected: string;
  /** Further entry points (`exports` subpaths) and an export each must have. */
  subpaths?: { specifier: string; expected: string }[];
}

const packages: Publishable[] = [
  { dir: 'packages/core', name: '@kaged/core', expected: 'KagedError' },
  { dir: 'packages/llm', name: '@kaged/llm', expected: 'createModelRegistry' },
  {
    dir: 'packages/prompt-watcher',
    name: '@kaged/prompt-watcher',
    expected: 'createPromptStore',
    subpaths: [{ specifier: '@kaged/prompt-watcher/testing', expected: 'configMapSwap' }],
  },
  {
    dir: 'packages/observability',
    name: '@kaged/observability',
    expected: 'createLogger',
    subpaths: [
      { specifier: '@kaged/observability/mastra', expected: 'PinoMastraLogger' },
      { specifier: '@kaged/observability/tracing', expected: 'createTracing' },
    ],
  },
  { dir: 'packages/harness', name: '@kaged/harness', expected: 'createHarness' },
  { dir: 'apps/daemon', name: 'kaged', expected: 'startDaemon' },
];

// Environment for child pnpm/node processes: drop what `npm run`/`pnpm run`/vitest put into
// ours that would make the children think they run inside this repo's scripts.
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const k = key.toLowerCase();
    if (
      k.startsWith('npm_package_') ||
      k.startsWith('npm_lifecycle_') ||
      k === 'npm_command' ||
      k === 'npm_config_local_prefix' ||
      k === 'npm_config_frozen_lockfile' ||
      k === 'npm_config_verify_deps_before_run' ||
      k === 'pnpm_config_verify_deps_before_run' ||
      k === 'pnpm_script_src_dir' ||
      k === 'init_cwd' ||
      k === 'node_env' ||
      k === 'node_options' ||
      k.startsWith('vitest')
    ) {
      continue;
    }
    env[key] = value;
  }
  env.COREPACK_ENABLE_DOWNLOAD_PROMPT = '0';
  return env;
}

// pnpm, run with this same node: the one running us when we were started by `pnpm run`,
// otherwise the `pnpm` on PATH.
function pnpmCommand(): { file: string; prefix: string[] } {
  const execpath = process.env.npm_execpath;
  if (execpath && /pnpm/i.test(execpath) && existsSync(execpath) && /\.c?js$/.test(execpath)) {
    return { file: process.execPath, prefix: [execpath] };
  }
  return { file: 'pnpm', prefix: [] };
}

function run(file: string, args: string[], cwd: string, timeout = 180_000): SpawnSyncReturns<string> {
  const res = spawnSync(file, args, {
    cwd,
    env: childEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) throw res.error;
  return res;
}

function pnpm(args: string[], cwd: string, timeout?: number): string {
  const { file, prefix } = pnpmCommand();
  const res = run(file, [...prefix, ...args], cwd, timeout);
  if (res.status !== 0) {
    throw new Error(`pnpm ${args.join(' ')} (in ${cwd}) exited with ${res.status}\n${res.stdout}\n${res.stderr}`);
  }
  return res.stdout;
}

/** Entries of a .tgz as path -> contents (regular files only), without relying on a `tar` binary. */
function readTarball(file: string): Map<string, Buffer> {
  const data = gunzipSync(readFileSync(file));
  const entries = new Map<string, Buffer>();
  const str = (start: number, len: number) => {
    const raw = data.subarray(start, start + len);
    const nul = raw.indexOf(0);
    return raw.subarray(0, nul === -1 ? raw.length : nul).toString('utf8');
  };
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= data.length) {
    if (data.subarray(offset, offset + 512).every((b) => b === 0)) break;
    let name = str(offset, 100);
    const size = Number.parseInt(str(offset + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(data[offset + 156] ?? 0);
    const prefix = str(offset + 345, 155);
    if (prefix && str(offset + 257, 5) === 'ustar') name = `${prefix}/${name}`;
    const body = data.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'x' || type === 'g') {
      const path = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      if (path && type === 'x') longName = path[1];
      continue;
    }
    if (longName) {
      name = longName;
      longName = undefined;
    }
    if (type === '0' || type === '\0' || type === '7') entries.set(name, Buffer.from(body));
  }
  return entries;
}

/** Every relative file path a package.json points at (main/module/types/bin/exports). */
function referencedFiles(manifest: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const visit = (value: unknown) => {
    if (typeof value === 'string') {
      if (value.startsWith('./') && !value.includes('*')) out.add(value.slice(2));
    } else if (value && typeof value === 'object') {
      for (const v of Object.values(value)) visit(v);
    }
  };
  for (const field of ['main', 'module', 'types', 'typings']) {
    const v = manifest[field];
    if (typeof v === 'string') visit(v.startsWith('./') ? v : `./${v}`);
  }
  const bin = manifest.bin;
  if (typeof bin === 'string') visit(bin.startsWith('./') ? bin : `./${bin}`);
  else if (bin && typeof bin === 'object') {
    for (const v of Object.values(bin)) if (typeof v === 'string') visit(v.startsWith('./') ? v : `./${v}`);
  }
  visit(manifest.exports);
  return [...out].sort();
}

describe('published packages work for library consumers', () => {
  let work: string;
  let consumer: string;
  const tarballs = new Map<string, string>();

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'kaged-pack-'));
    consumer = join(work, 'consumer');
    mkdirSync(consumer);

    for (const pkg of packages) {
      const dest = join(work, 'tarballs', pkg.dir.replace(/\//g, '-'));
      mkdirSync(dest, { recursive: true });
      pnpm(['pack', '--pack-destination', dest], join(repoRoot, pkg.dir));
      const files = readdirSync(dest).filter((f) => f.endsWith('.tgz'));
      expect(files, `pnpm pack for ${pkg.name} should write one tarball`).toHaveLength(1);
      tarballs.set(pkg.name, join(dest, files[0]!));
    }

    // @kaged/* 0.1.0 is not on the registry: point the dependencies *and* every transitive
    // reference to the tarballs.
    const fileSpecs = Object.fromEntries(packages.map((p) => [p.name, `file:${tarballs.get(p.name)!.split('\\').join('/')}`]));
    writeFileSync(
      join(consumer, 'package.json'),
      `${JSON.stringify(
        {
          name: 'kaged-pack-consumer',
          version: '0.0.0',
          private: true,
          dependencies: fileSpecs,
          pnpm: { overrides: fileSpecs },
        },
        null,
        2,
      )}\n`,
    );
    // Its own workspace root, so pnpm never walks up into another workspace; no
    // packageManager switching (closed networks).
    writeFileSync(join(consumer, 'pnpm-workspace.yaml'), 'managePackageManagerVersions: false\nonlyBuiltDependencies:\n  - esbuild\n');

    // Same store as the repo's install, so a warm machine needs no network.
    const storeDir = pnpm(['store', 'path'], repoRoot).trim();
    pnpm(
      [
        'install',
        '--prefer-offline',
        '--no-frozen-lockfile',
        '--reporter=append-only',
        '--config.managePackageManagerVersions=false',
        '--config.confirm-modules-purge=false',
        ...(storeDir ? ['--store-dir', storeDir] : []),
      ],
      consumer,
      240_000,
    );
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe.each(packages)('$name', (pkg) => {
    it('tarball holds the built files and no sources or tests', () => {
      const entries = readTarball(tarballs.get(pkg.name)!);
      const paths = [...entries.keys()].map((p) => p.replace(/^package\//, '')).sort();

      for (const f of ['package.json', 'README.md', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts']) {
        expect(paths, `${pkg.name} tarball should contain ${f}`).toContain(f);
      }
      expect(paths.filter((p) => p.startsWith('src/') || p.startsWith('test/'))).toEqual([]);
      expect(paths.filter((p) => /\.(test|spec)\.[cm]?[jt]sx?$/.test(p))).toEqual([]);
      expect(paths.filter((p) => /(^|\/)(tsconfig[^/]*\.json|tsup\.config\.[cm]?[jt]s|vitest\.config\.[cm]?[jt]s)$/.test(p))).toEqual([]);

      const manifest = JSON.parse(entries.get('package/package.json')!.toString('utf8')) as Record<string, unknown>;
      expect(manifest.name).toBe(pkg.name);
      // pnpm pack must have replaced workspace: ranges with real versions
      expect(JSON.stringify(manifest)).not.toContain('workspace:');
      // everything the manifest points at (exports, main, types, bin...) is in the tarball
      for (const f of referencedFiles(manifest)) {
        expect(paths, `${pkg.name} package.json refers to ${f}`).toContain(f);
      }
    });

    it('loads with import (ESM)', () => {
      const code = [
        `import * as m from ${JSON.stringify(pkg.name)};`,
        `console.log(JSON.stringify({ keys: Object.keys(m), type: typeof m[${JSON.stringify(pkg.expected)}] }));`,
      ].join('\n');
      const res = run(process.execPath, ['--input-type=module', '-e', code], consumer, 60_000);
      expect(res.status, `import ${pkg.name} failed:\n${res.stderr}`).toBe(0);
      const out = JSON.parse(res.stdout.trim().split('\n').pop()!) as { keys: string[]; type: string };
      console.log(`import ${pkg.name}: ${out.keys.join(', ')}`);
      expect(out.keys.filter((k) => k !== 'default').length).toBeGreaterThan(0);
      expect(out.keys).toContain(pkg.expected);
      expect(out.type).toBe('function');
    });

    it('loads with require (CJS)', () => {
      const code = [
        `const m = require(${JSON.stringify(pkg.name)});`,
        `console.log(JSON.stringify({ keys: Object.keys(m), type: typeof m[${JSON.stringify(pkg.expected)}] }));`,
      ].join('\n');
      const res = run(process.execPath, ['-e', code], consumer, 60_000);
      expect(res.status, `require ${pkg.name} failed:\n${res.stderr}`).toBe(0);
      const out = JSON.parse(res.stdout.trim().split('\n').pop()!) as { keys: string[]; type: string };
      console.log(`require ${pkg.name}: ${out.keys.join(', ')}`);
      expect(out.keys.length).toBeGreaterThan(0);
      expect(out.keys).toContain(pkg.expected);
      expect(out.type).toBe('function');
    });

    for (const sub of pkg.subpaths ?? []) {
      it(`loads ${sub.specifier} with import and require`, () => {
        const esm = run(
          process.execPath,
          ['--input-type=module', '-e', `import * as m from ${JSON.stringify(sub.specifier)}; console.log(typeof m[${JSON.stringify(sub.expected)}]);`],
          consumer,
          60_000,
        );
        expect(esm.status, `import ${sub.specifier} failed:\n${esm.stderr}`).toBe(0);
        expect(esm.stdout.trim().split('\n').pop()).toBe('function');
        const cjs = run(
          process.execPath,
          ['-e', `console.log(typeof require(${JSON.stringify(sub.specifier)})[${JSON.stringify(sub.expected)}]);`],
          consumer,
          60_000,
        );
        expect(cjs.status, `require ${sub.specifier} failed:\n${cjs.stderr}`).toBe(0);
        expect(cjs.stdout.trim().split('\n').pop()).toBe('function');
      });
    }
  });

  it('kaged carries the web console it serves at / (index.html, hashed script and stylesheet)', () => {
    const paths = [...readTarball(tarballs.get('kaged')!).keys()].map((p) => p.replace(/^package\//, ''));
    expect(paths).toContain('dist/console/index.html');
    expect(paths.filter((p) => /^dist\/console\/assets\/app-[0-9a-f]{10}\.js$/.test(p))).toHaveLength(1);
    expect(paths.filter((p) => /^dist\/console\/assets\/app-[0-9a-f]{10}\.css$/.test(p))).toHaveLength(1);
  });

  it('installs the kaged CLI bin', () => {
    const bin = join(consumer, 'node_modules', '.bin', process.platform === 'win32' ? 'kaged.cmd' : 'kaged');
    expect(existsSync(bin)).toBe(true);
  });
});
