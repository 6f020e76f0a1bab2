import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, LogRing } from '@kaged/observability';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { launchChromium, type LaunchedChromium } from './support/chromium.js';
import { createProjectFixture, scenarioFiles, scenarioProject, type ProjectFixture } from './support/project-fixture.js';
import { streamTurn } from './support/sse.js';

const TOKEN = 'console-test-token';
const auth = { authorization: `Bearer ${TOKEN}` };
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };
const consoleDist = fileURLToPath(new URL('../dist/console/', import.meta.url));

let fixture: ProjectFixture;
let daemon: Daemon;
let browser: LaunchedChromium;
let page: Page;
let shots: string;
const ring = new LogRing();
const foreign: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  fixture = await createProjectFixture(scenarioProject, scenarioFiles);
  // The project in git: the Prompts page shows the commit that introduced a version.
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=kaged test', '-c', 'user.email=test@kaged.invalid', ...args], { cwd: fixture.dir });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'first assistant prompt');
  const logger = createLogger({ ring, destination: { write: () => {} } });
  [daemon, browser] = await Promise.all([
    startDaemon({ project: fixture.file, port: 0, token: TOKEN, logger, logRing: ring, env: {}, dataDir: join(fixture.dir, '.kaged') }),
    launchChromium({ viewport: PHONE }),
  ]);
  shots = process.env.KAGED_SCREENSHOTS ?? (await mkdtemp(join(tmpdir(), 'kaged-console-shots-')));
  mkdirSync(shots, { recursive: true });
  process.stderr.write(`console test: screenshots in ${shots}\n`);
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('request', (request) => {
    if (!request.url().startsWith(`${daemon.url}/`)) foreign.push(request.url());
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.close();
  await fixture?.remove();
});

const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });

describe('the console', { timeout: 30_000 }, () => {
  it('is served from the package with a strict CSP, hashed immutable assets and a JS budget', async () => {
    const index = await fetch(`${daemon.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toMatch(/^default-src 'self'; script-src 'self'; style-src 'self';/);
    const html = await index.text();
    const script = /src="(\/assets\/app-[0-9a-f]{10}\.js)"/.exec(html)?.[1];
    const style = /href="(\/assets\/app-[0-9a-f]{10}\.css)"/.exec(html)?.[1];
    expect(script && style).toBeTruthy();
    expect(html).not.toMatch(/<script>|<style|style="|https?:\/\//);

    const js = await fetch(`${daemon.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    const again = await fetch(`${daemon.url}${script}`, { headers: { 'if-none-match': js.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await fetch(`${daemon.url}${style}`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${daemon.url}/assets/nothing.js`)).status).toBe(404);
    // The console needs no token to load; the API behind it does.
    expect((await fetch(`${daemon.url}/v1/agents`)).status).toBe(401);

    // Budget: the JavaScript the first page loads, gzipped.
    const manifest = JSON.parse(readFileSync(join(consoleDist, 'manifest.json'), 'utf8')) as { files: { file: string; bytes: number; gzipBytes: number }[] };
    const jsGzip = manifest.files.filter((f) => f.file.endsWith('.js')).reduce((sum, f) => sum + f.gzipBytes, 0);
    expect(jsGzip).toBeGreaterThan(1000);
    expect(jsGzip).toBeLessThanOrEqual(150 * 1024);
  });

  it('asks for the token, then streams a chat turn with its tool call (phone, 360 px)', async () => {
    await page.goto(`${daemon.url}/`);
    const dialog = page.locator('#token-dialog');
    await dialog.waitFor();
    await shot('phone-token');
    await dialog.locator('input[name=token]').fill(TOKEN);
    await dialog.locator('button[value=ok]').click();
    await expect.poll(() => page.locator('select[name=agent] option').allTextContents()).toContain('assistant · demo/assistant');
    expect(await page.evaluate(() => sessionStorage.getItem('kaged.token'))).toBe(TOKEN);
    expect(page.url()).not.toContain(TOKEN);

    await page.locator('textarea[name=message]').fill('what time is it?');
    await page.locator('button.send').tap();
    const answer = page.locator('.msg.agent').last();
    await answer.locator('.tool[data-tool=current_time] .tool-state', { hasText: '✓' }).waitFor();
    await expect.poll(() => answer.locator('.text').allTextContents()).toEqual([expect.stringMatching(/^It is \{"iso":/)]);
    await answer.locator('.trace-link').waitFor();
    expect(await answer.locator('.turn-meta').textContent()).toMatch(/ms.*220 in · 22 out.*assistant@/);
    // The composer stays on screen above the tab bar, and nothing overflows sideways.
    const box = await page.locator('.composer').boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.height - 56);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    // Thumbs show exactly when this daemon has the feedback route (feature-detected by the page).
    const probe = await fetch(`${daemon.url}/v1/turns/probe/feedback`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{}',
    });
    const hasFeedback = ((await probe.json()) as { error: { code: string } }).error.code !== 'not_found';
    if (hasFeedback) {
      await answer.locator('.feedback button[aria-label="Good answer"]').tap();
      await answer.locator('.feedback', { hasText: 'thanks' }).waitFor();
    } else {
      await page.waitForTimeout(200);
      expect(await answer.locator('.feedback').count()).toBe(0);
    }
    await answer.locator('.tool summary').tap();
    await shot('phone-chat');
  });

  it('opens the turn’s trace as a waterfall with the tool span in the tree', async () => {
    await page.locator('.msg.agent .trace-link').last().tap();
    const tool = page.locator('.span-row[data-span-type=tool_call]');
    await tool.first().waitFor({ timeout: 10_000 });
    expect(await tool.first().textContent()).toContain('current_time');
    expect(await page.locator('.span-row[data-span-type=agent_run]').count()).toBeGreaterThan(0);
    expect(await page.locator('.trace-head').textContent()).toMatch(/tokens220 in · 22 out/);
    await tool.first().tap();
    await expect.poll(() => page.locator('#span-detail h2').textContent()).toContain('current_time');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await page.evaluate('window.scrollTo(0, 0)');
    await shot('phone-trace');
  });

  it('tails the log live: a line written after the page opened arrives', async () => {
    await page.goto(`${daemon.url}/#/logs`);
    await page.locator('.live[data-state=live]').waitFor();
    const before = await page.locator('.log-lines li').count();
    const turn = await streamTurn(daemon.url, 'assistant', { message: 'hello from the log test' }, auth);
    const turnId = turn.events[0]!.data.turnId as string;
    const line = page.locator('.log-lines li', { hasText: 'turn.end' }).filter({ has: page.locator(`a[title="turn ${turnId}"]`) });
    await line.waitFor();
    expect(await page.locator('.log-lines li').count()).toBeGreaterThan(before);
    expect(await line.locator('a').getAttribute('href')).toMatch(/^#\/traces\/[0-9a-f]{32}$/);
    await shot('phone-logs');
  });

  it('shows a prompt edited on disk as a new version with its figures, and the commit of the old one', async () => {
    const before = ((await (await fetch(`${daemon.url}/v1/prompts`, { headers: auth })).json()) as { prompts: { id: string; version: string }[] }).prompts.find(
      (p) => p.id === 'agents.assistant.prompt',
    )!.version;
    await fixture.write('prompts/assistant.md', 'You are the scenario assistant, edited in the console test.\n');
    await expect
      .poll(
        async () => ((await (await fetch(`${daemon.url}/v1/prompts`, { headers: auth })).json()) as { prompts: { version: string }[] }).prompts[0]!.version,
        {
          timeout: 10_000,
        },
      )
      .not.toBe(before);
    const turn = await streamTurn(daemon.url, 'assistant', { message: 'hi after the edit' }, auth);
    expect(turn.events.at(-1)!.event).toBe('turn.end');
    // The turn's trace is written about a second after it ends.
    const traceId = turn.events[0]!.data.traceId as string;
    await expect.poll(async () => (await fetch(`${daemon.url}/v1/traces/${traceId}`, { headers: auth })).status, { timeout: 10_000 }).toBe(200);

    await page.goto(`${daemon.url}/#/prompts?id=agents.assistant.prompt`);
    const cards = page.locator('.version-card');
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(2);
    const current = page.locator('.version-card.current');
    expect(await current.locator('dd').first().textContent()).toBe('1');
    const old = page.locator(`.version-card[data-version="${before}"]`);
    expect(await old.textContent()).toContain('first assistant prompt');
    expect(Number(await old.locator('dd').first().textContent())).toBeGreaterThanOrEqual(2);
    for (const check of await page.locator('.version-card input[type=checkbox]').all()) await check.check();
    await page.locator('.compare-table').waitFor();
    await shot('phone-prompts');
  });

  it('shows readiness and activity on the Health page', async () => {
    await page.goto(`${daemon.url}/#/health`);
    await page.locator('.checks li[data-check=prompts]').waitFor();
    await expect.poll(() => page.locator('.figures.big').textContent()).toMatch(/turns\d+/);
    await shot('phone-health');
  });

  it('lays every page out at desktop width (1280 px)', async () => {
    await page.setViewportSize(DESKTOP);
    await page.goto(`${daemon.url}/#/chat`);
    await page.locator('textarea[name=message]').fill('ask the researcher');
    await page.locator('button.send').click();
    await page.locator('.msg.agent .tool.subagent .tool-state', { hasText: '✓' }).last().waitFor();
    await page.locator('.msg.agent .trace-link').last().waitFor();
    const nav = await page.locator('nav.tabs').boundingBox();
    expect(nav!.width).toBeLessThan(260);
    expect(nav!.height).toBeGreaterThan(400);
    await shot('desktop-chat');
    await page.locator('.msg.agent .trace-link').last().click();
    await page.locator('.span-row[data-span-type=tool_call]').first().waitFor({ timeout: 10_000 });
    await page.locator('.span-row[data-span-type=tool_call]').first().click();
    await shot('desktop-trace');
    await page.goto(`${daemon.url}/#/traces`);
    await page.locator('.rows .row-link').first().waitFor();
    expect(await page.locator('.rows .row-link').count()).toBeGreaterThanOrEqual(4);
    await shot('desktop-traces');
    for (const name of ['logs', 'prompts', 'health']) {
      await page.goto(`${daemon.url}/#/${name}`);
      await page
        .locator(name === 'logs' ? '.live[data-state=live]' : name === 'prompts' ? '.version-card' : '.checks li')
        .first()
        .waitFor();
      await shot(`desktop-${name}`);
    }
  });

  it('sent nothing to another origin and broke no Content-Security-Policy rule', () => {
    expect(foreign).toEqual([]);
    // Expected HTTP answers (401 before the token, the feedback probe's 400 or 404, a trace not
    // yet written) show as "Failed to load resource"; anything else (a CSP refusal, a script error) fails.
    expect(problems.filter((p) => !/^Failed to load resource: the server responded with a status of 40[014]/.test(p))).toEqual([]);
  });
});

describe('GET /v1/prompts/{promptId}/versions', () => {
  it('names an unknown prompt', async () => {
    const response = await fetch(`${daemon.url}/v1/prompts/agents.nobody.prompt/versions`, { headers: auth });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'unknown_prompt', message: 'no prompt "agents.nobody.prompt" (prompts: agents.assistant.prompt, agents.researcher.prompt)' },
    });
  });

  it('is behind the token like every /v1 route', async () => {
    expect((await fetch(`${daemon.url}/v1/prompts/agents.assistant.prompt/versions`)).status).toBe(401);
  });
});
