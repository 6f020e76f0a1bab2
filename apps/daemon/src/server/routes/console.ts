import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Hono, type Context } from 'hono';

export interface ConsoleRoutesOptions {
  /** The console's built files (index.html, assets/). Default: `console/` beside the daemon's bundle. */
  dir?: string | undefined;
}

/**
 * The browser may load and connect to this daemon only: no inline or remote script or style, no
 * frames, no form posts elsewhere. The console sets styles through the CSSOM, which this allows.
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

interface Asset {
  type: string;
  body: Uint8Array;
  gzip: Uint8Array;
  /** Hashed names never change content: cache for a year. index.html is revalidated. */
  immutable: boolean;
  etag: string;
}

/**
 * `GET /`: the web console (docs/console.md), from files built into the kaged package. It is a
 * client of the documented API like any other: it needs no route of its own beyond these files.
 * Without a built console (a source checkout that never ran the build) `/` says how to build it.
 */
export function consoleRoutes(options: ConsoleRoutesOptions = {}): Hono {
  const app = new Hono();
  const dir = options.dir ?? findConsoleDir();
  const assets = dir ? loadAssets(dir) : new Map<string, Asset>();

  const serve = (c: Context, path: string) => {
    const asset = assets.get(path);
    if (!asset) return undefined;
    const headers: Record<string, string> = {
      'content-type': asset.type,
      'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag: asset.etag,
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
    };
    if (asset.type.startsWith('text/html')) {
      headers['content-security-policy'] = CONSOLE_CSP;
      headers['x-frame-options'] = 'DENY';
    }
    if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304, headers);
    const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    if (gzip) headers['content-encoding'] = 'gzip';
    return c.body((gzip ? asset.gzip : asset.body) as Uint8Array<ArrayBuffer>, 200, headers);
  };

  app.get('/', (c) => {
    const served = serve(c, 'index.html');
    if (served) return served;
    c.header('content-security-policy', CONSOLE_CSP);
    return c.text(
      'The kaged console is not built into this copy of the daemon. In a source checkout run `pnpm build` (or `pnpm --filter kaged build`); the HTTP API under /v1 works without it.\n',
      503,
    );
  });
  app.get('/assets/:name', (c) => serve(c, `assets/${c.req.param('name')}`) ?? c.notFound());
  // Browsers ask for it on their own; an empty answer keeps the log free of 404s.
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'cache-control': 'public, max-age=86400' }));
  return app;
}

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const add = (relative: string) => {
    const file = join(dir, relative);
    if (!existsSync(file) || !statSync(file).isFile()) return;
    const type = TYPES[extname(file)];
    if (!type) return;
    const body = readFileSync(file);
    const immutable = relative.startsWith('assets/');
    assets.set(relative, { type, body, gzip: gzipSync(body), immutable, etag: `"${body.length.toString(36)}-${hashOf(body)}"` });
  };
  add('index.html');
  const assetDir = join(dir, 'assets');
  if (existsSync(assetDir)) for (const name of readdirSync(assetDir)) add(`assets/${name}`);
  return assets;
}

function hashOf(body: Uint8Array): string {
  // FNV-1a: an ETag needs to change with the content, not to resist attacks.
  let hash = 0x811c9dc5;
  for (const byte of body) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash.toString(36);
}

/**
 * The bundle lives in `dist/` with the console in `dist/console/`; run from source (tests),
 * this file is `src/server/routes/console.ts` and the built copy is `dist/console/` too, or the
 * console's own `apps/console/dist/` in the workspace.
 */
function findConsoleDir(): string | undefined {
  const here = moduleDir();
  const candidates = [join(here, 'console'), resolve(here, '../../../dist/console'), resolve(here, '../../../../console/dist')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

function moduleDir(): string {
  // The CJS bundle has no import.meta.url; tsup's CJS output defines __dirname.
  if (typeof __dirname === 'string') return __dirname;
  return dirname(fileURLToPath(import.meta.url));
}
