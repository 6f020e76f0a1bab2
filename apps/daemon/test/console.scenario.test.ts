import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
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
const PHONE_390 = { width: 390, height: 844 };
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
/** Routes the console feature-detects that this daemon did not serve: their UI ran against the documented shape. */
const mocked: string[] = [];
/** The first chat turn: resumed in the sessions test. */
const first = { sessionId: '', traceId: '', text: '' };

/**
 * `KAGED_CONSOLE_PRETEND_MISSING=1` runs the console as against a daemon without the sessions,
 * usage and Langfuse-config routes (the browser gets their generic 404): both paths stay testable.
 */
const pretendMissing = process.env.KAGED_CONSOLE_PRETEND_MISSING === '1';

/** True when the daemon has the route: anything but its generic 404 `not_found`. */
async function served(path: string): Promise<boolean> {
  if (pretendMissing) {
    const pathname = path.split('?')[0]!;
    await page.route(
      (url) => url.pathname === pathname || url.pathname.startsWith(`${pathname}/`),
      (r) =>
        r.fulfill({
          status: 404,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'not_found', message: `no route GET ${pathname}` } }),
        }),
    );
    return false;
  }
  const response = await fetch(`${daemon.url}${path}`, { headers: auth });
  if (response.status !== 404) return true;
  return ((await response.json()) as { error?: { code?: string } }).error?.code !== 'not_found';
}

const json = (body: unknown) => ({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
const noOverflow = async (width: number) => expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);

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
  if (mocked.length) process.stderr.write(`console test: not served by this daemon, UI checked against the documented shape: ${mocked.join(', ')}\n`);
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

    // One module script, no preloaded or inline extras.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain(`<script type="module" crossorigin src="${script}">`);

    // Budget: the JavaScript the first page loads (entry and its static imports), gzipped.
    const manifest = JSON.parse(readFileSync(join(consoleDist, 'manifest.json'), 'utf8')) as {
      files: { file: string; bytes: number; gzipBytes: number }[];
      firstPage: { js: string[]; gzipBytes: number };
    };
    expect(manifest.firstPage.js).toContain(script!.slice(1));
    const jsGzip = manifest.files.filter((f) => manifest.firstPage.js.includes(f.file)).reduce((sum, f) => sum + f.gzipBytes, 0);
    expect(jsGzip).toBe(manifest.firstPage.gzipBytes);
    // The served file is the one measured.
    expect(gzipSync(Buffer.from(await (await fetch(`${daemon.url}${script}`)).arrayBuffer())).length).toBe(
      manifest.files.find((f) => `/${f.file}` === script)!.gzipBytes,
    );
    process.stderr.write(`console test: first-page JS ${jsGzip} bytes gzipped (budget ${150 * 1024})\n`);
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
    // The duration reads "812 ms" or, on a loaded machine, "1.05 s" (format.ts).
    expect(await answer.locator('.turn-meta').textContent()).toMatch(/^\d+(\.\d+)? m?s.*220 in · 22 out.*assistant@/);
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
    // A reload resumes the conversation: the session is in the fragment (never the token).
    first.sessionId = new URLSearchParams(new URL(page.url()).hash.split('?')[1]).get('session') ?? '';
    expect(first.sessionId).toMatch(/^[\w-]{8,}$/);
    first.traceId = (await answer.locator('.trace-link').getAttribute('href'))!.replace('#/traces/', '');
    first.text = (await answer.locator('.text').textContent())!;
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

  it('links a trace to Langfuse exactly when Langfuse is configured', async () => {
    const traceId = first.traceId;
    // This daemon has no Langfuse: its route answers 404 or a null baseUrl, or does not exist yet.
    const route = `/v1/config/langfuse`;
    if (!(await served(route))) mocked.push(`GET ${route}`);
    await page.goto(`${daemon.url}/#/traces/${traceId}`);
    await page.reload();
    await page.locator('.span-row').first().waitFor();
    await page.waitForTimeout(300);
    expect(await page.locator('.langfuse-link').count()).toBe(0);

    // With Langfuse configured (its documented answer), the trace gets a link to its page there.
    await page.route(
      (url) => url.pathname === route,
      (r) => r.fulfill(json({ baseUrl: 'http://langfuse.invalid:3000/', projectId: 'kaged-proj' })),
    );
    await page.reload();
    const link = page.locator('a.langfuse-link');
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`http://langfuse.invalid:3000/project/kaged-proj/traces/${traceId}`);
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    await shot('phone-trace-langfuse');
    await page.unrouteAll();
    await page.route(
      (url) => url.pathname === route,
      (r) => r.fulfill(json({ baseUrl: null, projectId: null })),
    );
    await page.reload();
    await page.locator('.span-row').first().waitFor();
    await page.waitForTimeout(300);
    expect(await page.locator('.langfuse-link').count()).toBe(0);
    await page.unrouteAll();
  });

  it('lists the agent’s sessions and resumes one with its history (phone, 360 and 390 px)', async () => {
    const list = `/v1/sessions?agent=assistant`;
    const hasSessions = await served(list);
    await page.goto(`${daemon.url}/#/chat?agent=assistant`);
    await page.reload(); // a fresh tab: nothing of the first turn in memory
    const toggle = page.locator('.sessions-toggle');
    await toggle.tap();
    const item = page.locator(`.session-list button[data-session="${first.sessionId}"]`);
    await item.waitFor();
    if (!hasSessions) {
      // Without the sessions routes the list comes from the local traces, and a resumed
      // session says where its earlier turns are instead of showing them.
      await item.tap();
      const note = page.locator('.transcript .note', { hasText: 'Continuing session' });
      await note.waitFor();
      expect(await note.locator('a').getAttribute('href')).toBe(`#/traces?sessionId=${first.sessionId}`);
      expect(await page.locator('.transcript .msg').count()).toBe(0);
      mocked.push(`GET ${list}`, 'GET /v1/sessions/{id}');
      // The documented answers, for the same session.
      await page.route(
        (url) => url.pathname === '/v1/sessions',
        (r) =>
          r.fulfill(
            json({
              sessions: [
                {
                  id: first.sessionId,
                  agentId: 'assistant',
                  title: 'what time is it?',
                  createdAt: new Date().toISOString(),
                  updatedAt: new Date().toISOString(),
                  lastMessage: first.text,
                },
              ],
              nextCursor: null,
            }),
          ),
      );
      await page.route(
        (url) => url.pathname === `/v1/sessions/${first.sessionId}`,
        (r) =>
          r.fulfill(
            json({
              id: first.sessionId,
              agentId: 'assistant',
              messages: [
                { id: 'm1', role: 'user', text: 'what time is it?', createdAt: new Date().toISOString() },
                {
                  id: 'm2',
                  role: 'assistant',
                  text: first.text,
                  createdAt: new Date().toISOString(),
                  toolCalls: [{ name: 'current_time', args: {}, result: { iso: '2026-12-03T11:32:39.736Z' } }],
                  traceId: first.traceId,
                },
              ],
            }),
          ),
      );
      await page.goto(`${daemon.url}/#/chat?agent=assistant`);
      await page.reload();
      await toggle.tap();
      await item.waitFor();
      expect(await item.textContent()).toContain('what time is it?'); // the title
    }
    await shot('phone-sessions');
    await item.tap();
    // The history: the question, the answer with its tool call and a link to its trace.
    const question = page.locator('.transcript .msg.user', { hasText: 'what time is it?' });
    await question.waitFor();
    const past = page.locator('.transcript .msg.agent.past').first();
    await past.locator('.tool[data-tool=current_time]').waitFor();
    expect(await past.locator('.text').textContent()).toBe(first.text);
    expect(await past.locator('.trace-link').getAttribute('href')).toBe(`#/traces/${first.traceId}`);
    expect(await page.locator('.sessions-pane').isVisible()).toBe(false); // picking closes the list on a phone
    expect(new URL(page.url()).hash).toContain(`session=${first.sessionId}`);

    // Resumed for real: the next turn goes to the same session, and the agent remembers it.
    await page.locator('textarea[name=message]').fill('and now?');
    await page.locator('button.send').tap();
    const answer = page.locator('.msg.agent:not(.past)').last();
    await expect.poll(() => answer.locator('.text').textContent(), { timeout: 10_000 }).toBe('echo and now? (messages: 2)');
    await noOverflow(PHONE.width);
    await shot('phone-chat-resumed');

    await page.setViewportSize(PHONE_390);
    await toggle.tap();
    await page.locator('.sessions-pane').waitFor();
    await noOverflow(PHONE_390.width);
    const box = await page.locator('.composer').boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE_390.height - 56);
    await shot('phone390-sessions');
    await toggle.tap();
    await page.setViewportSize(PHONE);
    await page.unrouteAll();
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

    // The two texts as a line diff, from the versions route (the store's text, a trace's): the
    // old version on the left (a removed line), the edited one on the right (an added line).
    const change = page.locator('.diff .diff-row.change');
    await change.waitFor({ timeout: 10_000 });
    expect(await change.count()).toBe(1);
    expect(await change.locator('.side.a .code').textContent()).toBe('You are the scenario assistant.');
    expect(await change.locator('.side.b .code').textContent()).toBe('You are the scenario assistant, edited in the console test.');
    expect(await page.locator('.diff-stat').textContent()).toMatch(/\+1\s+−1 lines/);
    await noOverflow(PHONE.width);
    await page.locator('.diff-box').scrollIntoViewIfNeeded();
    await shot('phone-prompts-diff');
  });

  it('shows readiness, activity, and tokens and cost today on the Health page', async () => {
    const hasUsage = await served('/v1/usage');
    await page.goto(`${daemon.url}/#/health`);
    await page.locator('.checks li[data-check=prompts]').waitFor();
    await expect.poll(() => page.locator('[data-card=activity] .figures').textContent()).toMatch(/turns\d+/);
    const usage = page.locator('[data-card=usage]');
    if (hasUsage) {
      await usage.waitFor();
      // Every turn of this test so far ran today.
      expect(Number((await usage.locator('[data-figure=turns]').textContent())!.replace(/,/g, ''))).toBeGreaterThanOrEqual(4);
      expect(Number((await usage.locator('[data-figure=input]').textContent())!.replace(/,/g, ''))).toBeGreaterThan(0);
    } else {
      // Without the route the card is not there; the metrics still count since start.
      await page.waitForTimeout(300);
      expect(await usage.count()).toBe(0);
      mocked.push('GET /v1/usage');
      const midnight = new Date();
      midnight.setHours(0, 0, 0, 0);
      await page.route(
        (url) => url.pathname === '/v1/usage',
        (r) =>
          r.fulfill(
            json({
              since: midnight.toISOString(),
              turns: 7,
              errors: 1,
              inputTokens: 12345,
              outputTokens: 678,
              costUsd: 0.0123,
              byAgent: {
                assistant: { turns: 6, errors: 1, inputTokens: 12000, outputTokens: 600, costUsd: 0.012 },
                researcher: { turns: 1, errors: 0, inputTokens: 345, outputTokens: 78, costUsd: 0.0003 },
              },
            }),
          ),
      );
      await page.reload();
      await usage.waitFor();
      expect(await usage.locator('[data-figure=input]').textContent()).toBe('12,345');
      expect(await usage.locator('[data-figure=output]').textContent()).toBe('678');
      expect(await usage.locator('[data-figure=cost]').textContent()).toBe('$0.012');
      expect(await usage.locator('[data-figure=turns]').textContent()).toBe('7');
      expect(await usage.locator('tr[data-agent=researcher]').textContent()).toContain('345 · 78');
    }
    await noOverflow(PHONE.width);
    await shot('phone-health');
    await page.unrouteAll();
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
    // The session list is a column of its own beside the conversation.
    const sessions = await page.locator('.sessions-pane').boundingBox();
    const transcript = await page.locator('.transcript').boundingBox();
    expect(sessions!.x + sessions!.width).toBeLessThanOrEqual(transcript!.x);
    expect(await page.locator('.sessions-toggle').isVisible()).toBe(false);
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
    // Two versions side by side: at this width the diff has two columns.
    await page.goto(`${daemon.url}/#/prompts?id=agents.assistant.prompt`);
    await page.locator('.version-card').first().waitFor();
    for (const check of (await page.locator('.version-card input[type=checkbox]').all()).slice(0, 2)) await check.check();
    const change = page.locator('.diff .diff-row.change');
    await change.waitFor({ timeout: 10_000 });
    const left = await change.locator('.side.a').boundingBox();
    const right = await change.locator('.side.b').boundingBox();
    expect(right!.x).toBeGreaterThanOrEqual(left!.x + left!.width - 1);
    expect(Math.abs(right!.y - left!.y)).toBeLessThan(2);
    await shot('desktop-prompts-diff');
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
