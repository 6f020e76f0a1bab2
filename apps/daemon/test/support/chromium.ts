import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium, installed with apt-get when missing (CI machines start without it).
 * Never Playwright's own browser download: no test reaches the internet. Never skips: when it
 * can be neither found nor installed, it throws with what to do.
 */
export function ensureChromium(): { path: string; installedInMs: number | null } {
  if (existsSync(CHROMIUM)) return { path: CHROMIUM, installedInMs: null };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`the console test needs Chromium at ${CHROMIUM}: run it as root so it can "apt-get install chromium", or install that package first`);
  }
  if (spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) {
    throw new Error(`the console test needs Chromium at ${CHROMIUM} and there is no apt-get to install it`);
  }
  const started = performance.now();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another install in progress (a second test run) is waited for, not failed on.
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  for (const args of [
    [...lock, 'update'],
    [...lock, 'install', '-y', '--no-install-recommends', 'chromium'],
  ]) {
    const result = spawnSync('apt-get', args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) {
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
      throw new Error(`"apt-get ${args.join(' ')}" failed (exit ${result.status ?? result.signal}); the console test needs Chromium:\n${output}`);
    }
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing`);
  const installedInMs = Math.round(performance.now() - started);
  process.stderr.write(`console test: installed Debian's chromium in ${(installedInMs / 1000).toFixed(1)} s\n`);
  return { path: CHROMIUM, installedInMs };
}

export interface LaunchedChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile and nothing that phones home (updates, sync, QUIC). */
export async function launchChromium(options: { viewport: { width: number; height: number } }): Promise<LaunchedChromium> {
  const { path } = ensureChromium();
  const profile = await mkdtemp(join(tmpdir(), 'kaged-chromium-'));
  // Playwright takes the profile directory as an argument (it refuses --user-data-dir in args).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: path,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: options.viewport,
    hasTouch: true,
    isMobile: false,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}
