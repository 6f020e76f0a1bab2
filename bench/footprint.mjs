#!/usr/bin/env node
// Footprint benchmark: how much memory the daemon takes, whether it grows with use, and how
// fast it starts. Everything is measured on child processes, the way an operator runs kaged:
//
//   bare    a Node process that imports the Mastra packages the daemon imports, then idles
//   daemon  `node apps/daemon/dist/cli.js start --project examples/hello` (scripted model, no LLM)
//
// Memory is the resident set size (VmRSS in /proc/<pid>/status), read after the process has been
// ready and idle for --idle-ms. Turns are driven over HTTP (SSE) by --clients concurrent clients.
// Start-up is the time from spawn() to the first 200 from GET /readyz, polled every 10 ms.
//
// Runs on the built packages: `pnpm bench:footprint` from the repository root builds first.
// Usage: node bench/footprint.mjs [--turns N] [--checkpoint N] [--clients N] [--starts N] [--idle-ms N] [--json]
// See bench/README.md. Exits 0 whatever the goals say (a benchmark is a report, not a test); 1
// when something failed (a turn, a start, a setup step); 2 for a bad flag. Linux only (/proc).

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { flagHelpers } from './lib/flags.mjs';
import { resolveFromDaemon, root } from './lib/modules.mjs';
import { median, round3 } from './lib/stats.mjs';

const { usageError, positiveInt, nonNegativeInt, parseFlags } = flagHelpers('footprint');

const GOALS = {
  idleRatio: 1.15, // daemon idle RSS / bare Mastra imports RSS
  growthRatio: 1.1, // RSS after --turns / RSS after --checkpoint turns
  startMs: 1500, // median spawn -> /readyz 200
  startVsBare: 0.6, // issue 14: median start -> /readyz / median bare Mastra import, same run
  idleMb: 200, // issue 14: idle RSS after start and one turn
  // issue 14, with the small-board heap setting (--node-options, docs/operations.md): RSS after
  // --turns (10,000) / after --checkpoint (1,000), and the RSS after --turns
  smallBoardGrowthRatio: 1.05,
  smallBoardMb: 350,
};

// The Mastra packages the built daemon imports at start-up (apps/daemon/dist and the packages it
// uses: harness, observability, llm). @mastra/langfuse is imported only when Langfuse is
// configured, which the example project does not do, so the bare process leaves it out too.
const MASTRA_IMPORTS = [
  ['@mastra/core', './agent'],
  ['@mastra/core', './mastra'],
  ['@mastra/core', './tools'],
  ['@mastra/core', './logger'],
  ['@mastra/memory', '.'],
  ['@mastra/libsql', '.'],
  ['@mastra/observability', '.'],
];

// The example assistant's three paths: text, a tool call, a subagent call.
const MESSAGES = ['hello there', 'what time is it?', 'research the moon'];
const TURNS_PER_SESSION = 10;

// ---------------------------------------------------------------------------------------------
// Arguments

const args = parseFlags(
  {
    turns: { type: 'string', default: '10000' },
    checkpoint: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '8' },
    starts: { type: 'string', default: '5' },
    'idle-ms': { type: 'string', default: '2000' },
    'node-options': { type: 'string', default: '' },
    json: { type: 'boolean', default: false },
  },
  'usage: node bench/footprint.mjs [--turns N] [--checkpoint N] [--clients N] [--starts N] [--idle-ms N] [--json]\n' +
    '  --turns N       turns in all (default 10000); RSS is read after --checkpoint and after N\n' +
    '  --checkpoint N  turns before the first reading (default 1000)\n' +
    '  --clients N     concurrent HTTP clients driving turns (default 8)\n' +
    '  --starts N      measured starts for the start-up time (default 5; the median is reported)\n' +
    '  --idle-ms N     how long a process idles before its RSS is read (default 2000)\n' +
    '  --node-options S  NODE_OPTIONS for both measured processes, e.g. "--max-semi-space-size=2"\n' +
    '  --json          print a machine-readable summary on stdout (progress stays on stderr)\n',
);
const totalTurns = positiveInt('turns', args.turns);
const checkpoint = positiveInt('checkpoint', args.checkpoint);
const clients = positiveInt('clients', args.clients);
const starts = positiveInt('starts', args.starts);
const idleMs = nonNegativeInt('idle-ms', args['idle-ms']);
const nodeOptions = args['node-options'].trim();
if (checkpoint > totalTurns) usageError(`--checkpoint (${checkpoint}) must not exceed --turns (${totalTurns})`);

// ---------------------------------------------------------------------------------------------
// Paths and module resolution (as an ESM import from apps/daemon would resolve them)

const cli = join(root, 'apps/daemon/dist/cli.js');
const projectFile = join(root, 'examples/hello/kaged.yaml');

// ---------------------------------------------------------------------------------------------
// Helpers

const log = (line) => process.stderr.write(`${line}\n`);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const mb = (bytes) => bytes / (1024 * 1024);
const fmtMb = (bytes) => `${mb(bytes).toFixed(1)} MB`;

/** VmRSS and VmHWM (peak RSS) of a process, in bytes. */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

async function freePort() {
  const server = createServer();
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/** One GET on a fresh connection; resolves with the status, or 0 when nothing answers yet. */
function probe(port, path) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 1000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', () => resolve(0));
    request.on('timeout', () => request.destroy());
  });
}

class Failure extends Error {}

const children = new Set();

/** Spawns `node <args>`, keeping the last lines of its stderr for error messages. */
function spawnNode(nodeArgs, { stdout = 'ignore', env = {} } = {}) {
  const child = spawn(process.execPath, nodeArgs, {
    stdio: ['ignore', stdout, 'pipe'],
    env: {
      ...process.env,
      MASTRA_TELEMETRY_DISABLED: '1',
      ...env,
      ...(nodeOptions ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${nodeOptions}`.trim() } : {}),
    },
  });
  children.add(child);
  child.stderrTail = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (child.stderrTail = (child.stderrTail + chunk).slice(-4000)));
  child.exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  child.exited.then(() => children.delete(child));
  return child;
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killed = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await child.exited;
  clearTimeout(killed);
}

/** The daemon on the example project, on `port`, with its data in `dataDir`. */
function spawnDaemon(port, dataDir, env = {}) {
  return spawnNode([cli, 'start', '--project', projectFile, '--port', String(port), '--data-dir', dataDir, '--log-format', 'json'], { env });
}

// The CLI enables Node's module compile cache (module.enableCompileCache()); these settings turn
// it off (the "before" side) or point it at this run's own directory (the "after" side, warmed by
// the unmeasured first start). The bare imports never use it: they are Mastra as it imports alone.
const NO_COMPILE_CACHE = { NODE_DISABLE_COMPILE_CACHE: '1' };

/** Polls /readyz every 10 ms; resolves with the milliseconds since `startedAt` at the first 200. */
async function waitReady(child, port, startedAt, timeoutMs = 30_000) {
  for (;;) {
    if (child.exitCode !== null) throw new Failure(`the daemon exited with ${child.exitCode} before it was ready:\n${child.stderrTail}`);
    const status = await probe(port, '/readyz');
    if (status === 200) return performance.now() - startedAt;
    if (performance.now() - startedAt > timeoutMs)
      throw new Failure(`the daemon was not ready after ${timeoutMs} ms (last /readyz status ${status}):\n${child.stderrTail}`);
    await sleep(10);
  }
}

// ---------------------------------------------------------------------------------------------
// The measurements

const BARE_CODE = () => {
  const urls = MASTRA_IMPORTS.map(([pkg, subpath]) => resolveFromDaemon(pkg, subpath));
  return `await Promise.all(${JSON.stringify(urls)}.map((url) => import(url)));\nprocess.stdout.write('ready\\n');\nsetInterval(() => {}, 1 << 30);\n`;
};

/** One bare run: a Node process imports the Mastra packages, says so, and idles: ms to the end of the imports, RSS after --idle-ms. */
async function measureBare() {
  const startedAt = performance.now();
  const child = spawnNode(['--input-type=module', '-e', BARE_CODE()], { stdout: 'pipe', env: NO_COMPILE_CACHE });
  try {
    await new Promise((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk) => chunk.includes('ready') && resolve());
      child.exited.then(({ code: exit }) => reject(new Failure(`the bare import process exited with ${exit}:\n${child.stderrTail}`)));
    });
    const ms = performance.now() - startedAt;
    await sleep(idleMs);
    return { ms, rss: memoryOf(child.pid).rss };
  } finally {
    await stop(child);
  }
}

/** One daemon start on `dataDir` (a restart, as in operation): ms from spawn() to /readyz 200, then one turn, RSS after --idle-ms. */
async function measureStart(dataDir, env) {
  const port = await freePort();
  const startedAt = performance.now();
  const child = spawnDaemon(port, dataDir, env);
  try {
    const ms = await waitReady(child, port, startedAt);
    const state = { done: 0, failures: 0, firstFailure: undefined, perClient: [0] };
    await driveTurns(port, 1, state, 1);
    if (state.failures) throw new Failure(`the turn after start failed: ${state.firstFailure}`);
    await sleep(idleMs);
    return { ms, rss: memoryOf(child.pid).rss };
  } finally {
    await stop(child);
  }
}

/**
 * `starts` rounds; each runs a bare import, a daemon start without the compile cache and one with
 * it, in an order that rotates every round, so the machine's load hits all three alike. One
 * unmeasured start of each daemon kind first (it also fills the compile cache).
 */
async function measureInterleaved(tmp) {
  const cacheEnv = { NODE_COMPILE_CACHE: join(tmp, 'compile-cache') };
  const kinds = {
    bare: () => measureBare(),
    daemonNoCache: () => measureStart(join(tmp, 'starts-nocache'), NO_COMPILE_CACHE),
    daemon: () => measureStart(join(tmp, 'starts-cache'), cacheEnv),
  };
  await kinds.daemonNoCache();
  await kinds.daemon();
  const runs = { bare: [], daemonNoCache: [], daemon: [] };
  const keys = Object.keys(kinds);
  for (let i = 0; i < starts; i++) {
    for (const k of keys.map((_, n) => keys[(n + i) % keys.length])) {
      const run = await kinds[k]();
      runs[k].push(run);
      log(`  ${i + 1} ${k.padEnd(13)} ${k === 'bare' ? 'imports done' : '/readyz 200'} after ${run.ms.toFixed(0)} ms, idle RSS ${fmtMb(run.rss)}`);
    }
  }
  return runs;
}

/** Drives `count` turns with `clients` concurrent clients; each client keeps a session for a few turns. */
async function driveTurns(port, count, state, clientCount = clients) {
  let next = 0;
  const client = async (id) => {
    for (;;) {
      const n = next++;
      if (n >= count) return;
      const k = state.perClient[id]++;
      const sessionId = `footprint-${id}-${Math.floor(k / TURNS_PER_SESSION)}`;
      const response = await fetch(`http://127.0.0.1:${port}/v1/agents/assistant/turns`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ message: MESSAGES[k % MESSAGES.length], sessionId }),
      });
      const body = await response.text();
      if (response.status !== 200 || !body.includes('event: turn.end')) {
        state.failures++;
        state.firstFailure ??= `turn ${state.done + 1}: HTTP ${response.status}: ${body.slice(-300)}`;
      }
      state.done++;
      if (state.done % 1000 === 0) log(`  ${state.done} turns`);
    }
  };
  await Promise.all(Array.from({ length: clientCount }, (_, id) => client(id)));
}

async function main() {
  if (process.platform !== 'linux') throw new Failure('this benchmark reads /proc: it runs on Linux only');
  if (!existsSync(cli)) throw new Failure(`${cli} is missing: run "pnpm run build" at the repository root first`);
  const tmp = await mkdtemp(join(os.tmpdir(), 'kaged-footprint-'));
  try {
    log(`bare: importing ${MASTRA_IMPORTS.map(([pkg, sub]) => (sub === '.' ? pkg : `${pkg}/${sub.slice(2)}`)).join(', ')}`);
    log(`${starts} rounds of: bare imports, daemon start without and with the compile cache (one turn after /readyz), interleaved`);
    const { bare: bareRuns, daemon: startRuns, daemonNoCache: noCacheRuns } = await measureInterleaved(tmp);

    log(`daemon: ${checkpoint} then ${totalTurns} turns in all, from ${clients} clients`);
    const port = await freePort();
    const child = spawnDaemon(port, join(tmp, 'turns'));
    let idle;
    let afterCheckpoint;
    let afterAll;
    const state = { done: 0, failures: 0, firstFailure: undefined, perClient: Array(clients).fill(0) };
    let turnSeconds;
    try {
      await waitReady(child, port, performance.now());
      await sleep(idleMs);
      idle = memoryOf(child.pid);
      log(`  idle RSS ${fmtMb(idle.rss)}`);
      const turnsStarted = performance.now();
      await driveTurns(port, checkpoint, state);
      const checkpointSeconds = (performance.now() - turnsStarted) / 1000;
      await sleep(idleMs);
      afterCheckpoint = memoryOf(child.pid);
      log(`  RSS after ${checkpoint} turns ${fmtMb(afterCheckpoint.rss)}`);
      const restStarted = performance.now();
      await driveTurns(port, totalTurns - checkpoint, state);
      turnSeconds = checkpointSeconds + (performance.now() - restStarted) / 1000;
      await sleep(idleMs);
      afterAll = memoryOf(child.pid);
      log(`  RSS after ${totalTurns} turns ${fmtMb(afterAll.rss)}`);
    } finally {
      await stop(child);
    }
    if (state.failures > 0) throw new Failure(`${state.failures} of ${state.done} turns failed; first: ${state.firstFailure}`);

    // Medians over the runs: one process's RSS varies by tens of MB with GC timing.
    const bare = { rss: median(bareRuns.map((r) => r.rss)), ms: median(bareRuns.map((r) => r.ms)) };
    const daemonIdle = median(startRuns.map((r) => r.rss));
    const startMedian = median(startRuns.map((r) => r.ms));
    const noCache = { rss: median(noCacheRuns.map((r) => r.rss)), ms: median(noCacheRuns.map((r) => r.ms)) };
    const startVsBare = startMedian / bare.ms;
    const idleRatio = daemonIdle / bare.rss;
    const growthRatio = afterAll.rss / afterCheckpoint.rss;
    const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
    const summary = {
      machine: {
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        cpus: os.cpus().length,
        memoryMb: Math.round(mb(os.totalmem())),
        loadAverage: os.loadavg().map((l) => round3(l)),
      },
      settings: { project: 'examples/hello', turns: totalTurns, checkpoint, clients, starts, idleMs, nodeOptions },
      bareImports: MASTRA_IMPORTS.map(([pkg, sub]) => (sub === '.' ? pkg : `${pkg}/${sub.slice(2)}`)),
      rssMb: {
        bare: round3(mb(bare.rss)),
        daemonIdle: round3(mb(daemonIdle)),
        turnRunIdle: round3(mb(idle.rss)),
        afterCheckpoint: round3(mb(afterCheckpoint.rss)),
        afterTurns: round3(mb(afterAll.rss)),
        daemonPeak: round3(mb(afterAll.peak)),
        bareRuns: bareRuns.map((r) => round3(mb(r.rss))),
        daemonRuns: startRuns.map((r) => round3(mb(r.rss))),
      },
      turnsPerSecond: round3(totalTurns / turnSeconds),
      startMs: { median: round3(startMedian), runs: startRuns.map((r) => round3(r.ms)), bareImportsMedian: round3(bare.ms) },
      withoutCompileCache: { startMsMedian: round3(noCache.ms), idleRssMb: round3(mb(noCache.rss)), startMs: noCacheRuns.map((r) => round3(r.ms)) },
      ratios: { idle: round3(idleRatio), growth: round3(growthRatio), startVsBare: round3(startVsBare), startVsBareNoCache: round3(noCache.ms / bare.ms) },
      goals: {
        idle: { goal: GOALS.idleRatio, pass: idleRatio <= GOALS.idleRatio },
        growth: { goal: GOALS.growthRatio, pass: growthRatio <= GOALS.growthRatio },
        start: { goalMs: GOALS.startMs, pass: startMedian <= GOALS.startMs },
        startVsBare: { goal: GOALS.startVsBare, pass: startVsBare <= GOALS.startVsBare },
        idleMb: { goal: GOALS.idleMb, pass: mb(daemonIdle) <= GOALS.idleMb },
        smallBoard: {
          applies: Boolean(nodeOptions),
          growthGoal: GOALS.smallBoardGrowthRatio,
          mbGoal: GOALS.smallBoardMb,
          pass: growthRatio <= GOALS.smallBoardGrowthRatio && mb(afterAll.rss) <= GOALS.smallBoardMb,
        },
      },
    };
    if (args.json) {
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }
    const row = (label, value, extra = '') => `${label.padEnd(46)}${value.padStart(10)}${extra}`;
    const lines = [
      `footprint: examples/hello, Node ${process.version}, ${process.platform} ${process.arch}, ${os.cpus().length} CPUs, ${summary.machine.memoryMb} MB RAM, load ${summary.machine.loadAverage[0]}${nodeOptions ? `, NODE_OPTIONS ${nodeOptions}` : ''}`,
      '',
      row(`bare Node + Mastra imports, idle (median of ${starts})`, fmtMb(bare.rss)),
      row(
        `daemon, ready, one turn, idle (median of ${starts})`,
        fmtMb(daemonIdle),
        `   ratio ${idleRatio.toFixed(3)}  goal <= ${GOALS.idleRatio}  ${verdict(summary.goals.idle.pass)}; goal <= ${GOALS.idleMb} MB  ${verdict(summary.goals.idleMb.pass)}`,
      ),
      row('  the same without the compile cache', fmtMb(noCache.rss)),
      row(`daemon after ${checkpoint.toLocaleString('en')} turns`, fmtMb(afterCheckpoint.rss), `   (idle before the turns: ${fmtMb(idle.rss)})`),
      row(
        `daemon after ${totalTurns.toLocaleString('en')} turns`,
        fmtMb(afterAll.rss),
        `   ratio ${growthRatio.toFixed(3)}  goal <= ${GOALS.growthRatio}  ${verdict(summary.goals.growth.pass)}${
          nodeOptions
            ? `; with --node-options: <= ${GOALS.smallBoardGrowthRatio} and <= ${GOALS.smallBoardMb} MB  ${verdict(summary.goals.smallBoard.pass)}`
            : ''
        }`,
      ),
      row('daemon peak RSS (VmHWM)', fmtMb(afterAll.peak)),
      row(`turns/s (${clients} clients, SSE)`, summary.turnsPerSecond.toFixed(0)),
      row(`start -> /readyz 200 (median of ${starts})`, `${startMedian.toFixed(0)} ms`, `   goal <= ${GOALS.startMs} ms  ${verdict(summary.goals.start.pass)}`),
      row(
        `  bare Mastra imports alone (median)`,
        `${bare.ms.toFixed(0)} ms`,
        `   start/bare ${startVsBare.toFixed(3)}  goal <= ${GOALS.startVsBare}  ${verdict(summary.goals.startVsBare.pass)}`,
      ),
      row('  start without the compile cache (median)', `${noCache.ms.toFixed(0)} ms`, `   start/bare ${(noCache.ms / bare.ms).toFixed(3)}`),
      `  starts: ${startRuns.map((r) => r.ms.toFixed(0)).join(', ')} ms; bare RSS: ${bareRuns.map((r) => mb(r.rss).toFixed(0)).join(', ')} MB; daemon idle RSS: ${startRuns.map((r) => mb(r.rss).toFixed(0)).join(', ')} MB`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
  }
}

process.once('SIGINT', () => {
  log('\nfootprint: interrupted; stopping the child processes');
  Promise.all([...children].map(stop)).finally(() => process.exit(130));
});

main().then(
  () => process.exit(0),
  async (error) => {
    await Promise.all([...children].map(stop));
    process.stderr.write(`footprint: FAILED: ${error instanceof Failure ? error.message : (error?.stack ?? error)}\n`);
    process.exit(1);
  },
);
