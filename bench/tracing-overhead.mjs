#!/usr/bin/env node
// Tracing-overhead benchmark: what does tracing cost a turn through the kaged daemon, and does
// a Langfuse that never answers slow turns down?
//
// Four daemons run in this one process, each on its own loopback port, data directory and
// project (same scripted model, no LLM). Their turns are interleaved in rounds, with the order
// of the sides rotated every round, so machine noise hits each of them alike:
//
//   (off)   tracing off: no Langfuse keys, local traces disabled (Mastra gets no observability)
//   (local) the default: local traces only (Mastra's storage exporter into kaged.db)
//   (lf)    Langfuse to a healthy loopback OTLP receiver; local traces off; batched (realtime off)
//   (hang)  Langfuse to a receiver that accepts connections and never answers; otherwise as (lf)
//
// Each turn is POST /v1/agents/<id>/turns with Accept: text/event-stream, whole SSE body read.
// Runs on the built packages: `pnpm bench:tracing` from the repository root builds first.
// Usage: node bench/tracing-overhead.mjs [--rounds N] [--turns N] [--warmup N]
//                                        [--scenario text|tool|all] [--json]
// See bench/README.md. Exits 0 whatever the ratios are; 1 when a turn or a setup step failed.

import { once } from 'node:events';
import { createServer } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { flagHelpers } from './lib/flags.mjs';
import { builtModule } from './lib/modules.mjs';
import { parseSse } from './lib/sse.mjs';
import { median, percentile, round3 } from './lib/stats.mjs';

const { usageError, positiveInt, nonNegativeInt, parseFlags } = flagHelpers('tracing-overhead');

const GOALS = { onOff: 1.5, hangHealthy: 1.1 };
const REPLY = 'Sure, here is a short scripted reply of roughly twenty words, streamed word by word so the benchmark sees real deltas.';
const USAGE = { input: 50, output: 20, cacheRead: 10 };

const SCENARIOS = {
  text: {
    agentId: 'bench',
    description: 'text only: one model call, a ~20-word reply streamed word by word',
    tools: [],
    steps: [{ text: REPLY, usage: USAGE }],
  },
  tool: {
    agentId: 'benchtool',
    description: 'one tool call (current_time), then the same text: two model calls',
    tools: ['current_time'],
    steps: [
      { tools: [{ name: 'current_time', input: {} }], usage: USAGE },
      { text: REPLY, usage: USAGE },
    ],
  },
};

const SIDES = {
  off: '(off)   tracing off',
  local: '(local) local traces only (default)',
  lf: '(lf)    Langfuse, healthy receiver',
  hang: '(hang)  Langfuse, receiver never answers',
};
const SIDE_KEYS = Object.keys(SIDES);

// ---------------------------------------------------------------------------------------------
// Arguments

const args = parseFlags(
  {
    rounds: { type: 'string', default: '10' },
    turns: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '30' },
    scenario: { type: 'string', default: 'all' },
    json: { type: 'boolean', default: false },
  },
  'usage: node bench/tracing-overhead.mjs [--rounds N] [--turns N] [--warmup N] [--scenario text|tool|all] [--json]\n' +
    '  --rounds N    measured rounds (default 10); each round runs every side once\n' +
    '  --turns N     turns per side and round (default 30)\n' +
    '  --warmup N    unmeasured turns per side first (default 30)\n' +
    '  --scenario    text, tool or all (default all)\n' +
    '  --json        print a machine-readable summary on stdout (progress stays on stderr)\n',
);
const rounds = positiveInt('rounds', args.rounds);
const turns = positiveInt('turns', args.turns);
const warmup = nonNegativeInt('warmup', args.warmup);
const scenarioNames = args.scenario === 'all' ? Object.keys(SCENARIOS) : [args.scenario];
for (const name of scenarioNames) if (!SCENARIOS[name]) usageError(`--scenario must be text, tool or all (got "${args.scenario}")`);

// ---------------------------------------------------------------------------------------------
// Helpers

const log = (line) => process.stderr.write(`${line}\n`);
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

class TurnFailure extends Error {}

/** A loopback stand-in for Langfuse: `ok` answers 200, `hang` reads the request and never answers. */
async function startReceiver(mode) {
  const stats = { requests: 0, bytes: 0, open: 0 };
  const sockets = new Set();
  const server = createServer((req, res) => {
    stats.requests++;
    req.on('data', (chunk) => (stats.bytes += chunk.length));
    req.on('end', () => {
      if (mode === 'hang') return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    stats.open = sockets.size;
    socket.on('close', () => {
      sockets.delete(socket);
      stats.open = sockets.size;
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stats,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((done) => server.close(() => done()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Main

let tmp;
const daemons = [];
const receivers = [];

async function cleanup() {
  for (const daemon of daemons.splice(0)) await daemon.close().catch((error) => log(`tracing-overhead: closing a daemon failed: ${error.message}`));
  for (const receiver of receivers.splice(0)) await receiver.close().catch(() => {});
  if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => {});
  tmp = undefined;
}

process.once('SIGINT', () => {
  log('\ntracing-overhead: interrupted; cleaning up');
  cleanup().finally(() => process.exit(130));
});

async function main() {
  process.env.MASTRA_TELEMETRY_DISABLED ??= '1';
  const [{ startDaemon }, { createLogger }] = await Promise.all([
    builtModule('apps/daemon/dist/index.js'),
    builtModule('packages/observability/dist/index.js'),
  ]);

  const healthy = await startReceiver('ok');
  const hanging = await startReceiver('hang');
  receivers.push(healthy, hanging);

  const script = { models: Object.fromEntries(Object.values(SCENARIOS).map((s) => [s.agentId, [{ steps: s.steps }]])) };
  const agentsYaml = Object.values(SCENARIOS)
    .map((s) => `  ${s.agentId}:\n    model: demo/${s.agentId}\n    prompt: "You are a benchmark."\n    tools: [${s.tools.join(', ')}]\n`)
    .join('');
  const observability = {
    off: 'observability:\n  localTraces: { enabled: false }\n',
    local: '',
    lf: `observability:\n  langfuse: { publicKey: pk-lf-bench, secretKey: sk-lf-bench, baseUrl: "${healthy.url}" }\n  localTraces: { enabled: false }\n`,
    hang: `observability:\n  langfuse: { publicKey: pk-lf-bench, secretKey: sk-lf-bench, baseUrl: "${hanging.url}" }\n  localTraces: { enabled: false }\n`,
  };

  tmp = await mkdtemp(join(os.tmpdir(), 'kaged-bench-tracing-'));
  const runners = {};
  const bySide = {};
  for (const side of SIDE_KEYS) {
    const dir = join(tmp, side);
    await mkdir(dir);
    await writeFile(join(dir, 'script.yaml'), JSON.stringify(script, null, 2));
    await writeFile(
      join(dir, 'kaged.yaml'),
      `version: 1\nname: bench-${side}\nproviders:\n  demo: { type: scripted, script: { file: script.yaml } }\nagents:\n${agentsYaml}${observability[side]}`,
    );
    // `env: {}`: no LANGFUSE_* variables from the shell reach the sides.
    const daemon = await startDaemon({
      project: join(dir, 'kaged.yaml'),
      port: 0,
      dataDir: join(dir, 'data'),
      env: {},
      logger: createLogger({ level: 'silent' }),
    });
    daemons.push(daemon);
    bySide[side] = daemon;
  }
  const expected = { off: [], local: ['local'], lf: ['langfuse'], hang: ['langfuse'] };
  for (const side of SIDE_KEYS) {
    if (JSON.stringify(bySide[side].tracing.exporters) !== JSON.stringify(expected[side]))
      throw new Error(`side ${side}: exporters ${JSON.stringify(bySide[side].tracing.exporters)}`);
  }

  for (const name of scenarioNames) {
    const s = SCENARIOS[name];
    runners[name] = {};
    for (const side of SIDE_KEYS) {
      const url = `${bySide[side].url}/v1/agents/${s.agentId}/turns`;
      const traced = side !== 'off';
      runners[name][side] = async () => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
          body: '{"message":"hello"}',
        });
        const text = await response.text();
        if (!response.ok) throw new TurnFailure(`${side}: HTTP ${response.status}: ${text.slice(0, 200)}`);
        const events = parseSse(text);
        const last = events.at(-1);
        if (last?.event !== 'turn.end') throw new TurnFailure(`${side}: turn ended with "${last?.event}": ${last?.data.slice(0, 200)}`);
        const end = JSON.parse(last.data);
        if (end.text !== REPLY) throw new TurnFailure(`${side}: unexpected reply ${JSON.stringify(String(end.text).slice(0, 80))}`);
        if (traced !== (typeof end.traceId === 'string')) throw new TurnFailure(`${side}: traceId ${end.traceId}`);
      };
    }
  }

  let errors = 0;
  let firstError;
  const runBlock = async (run, count, times) => {
    gc();
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      try {
        await run();
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error : new Error(String(error));
      }
      times?.push(performance.now() - t0);
    }
    return performance.now() - started;
  };

  const cpus = os.cpus();
  const env = {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: os.availableParallelism?.() ?? cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
  };
  log(
    `tracing-overhead: node ${env.node}, ${env.cpus} CPU(s); ${scenarioNames.join(' + ')}; warm-up ${warmup}, then ${rounds} rounds x ${turns} turns per side`,
  );
  const rssBefore = process.memoryUsage().rss;

  for (let done = 0; done < warmup; done += turns) {
    for (const name of scenarioNames) for (const side of SIDE_KEYS) await runBlock(runners[name][side], Math.min(turns, warmup - done));
  }
  if (errors > 0) throw Object.assign(firstError, { errorCount: errors });

  const results = {};
  for (const name of scenarioNames) results[name] = Object.fromEntries(SIDE_KEYS.map((side) => [side, { roundMeans: [], totalMs: 0, turnTimes: [] }]));
  for (let r = 0; r < rounds; r++) {
    const order = SIDE_KEYS.map((_, i) => SIDE_KEYS[(i + r) % SIDE_KEYS.length]);
    const scenarioOrder = r % 2 ? [...scenarioNames].reverse() : scenarioNames;
    for (const name of scenarioOrder) {
      for (const side of order) {
        const result = results[name][side];
        const elapsed = await runBlock(runners[name][side], turns, result.turnTimes);
        result.roundMeans.push(elapsed / turns);
        result.totalMs += elapsed;
      }
    }
    if (errors > 0) break;
    log(
      `  round ${String(r + 1).padStart(String(rounds).length)}/${rounds}: ` +
        scenarioNames.map((name) => `${name} ${SIDE_KEYS.map((side) => `${side}=${results[name][side].roundMeans.at(-1).toFixed(2)}`).join(' ')}`).join('  ') +
        ` ms/turn; hanging receiver holds ${hanging.stats.open} connection(s)`,
    );
  }
  if (errors > 0) throw Object.assign(firstError, { errorCount: errors });
  const rssAfter = process.memoryUsage().rss;

  // Close the traced daemons now: their shutdown flush is part of what is reported below.
  const closeMs = {};
  for (const side of SIDE_KEYS) {
    const started = performance.now();
    await bySide[side].close();
    closeMs[side] = Math.round(performance.now() - started);
  }
  daemons.splice(0);

  const summary = {
    benchmark: 'tracing-overhead',
    ...env,
    rounds,
    turnsPerRound: turns,
    warmupTurns: warmup,
    measuredTurns: 0,
    goals: { 'lf/off': GOALS.onOff, 'hang/lf': GOALS.hangHealthy },
    receivers: {
      healthy: { requests: healthy.stats.requests, bytes: healthy.stats.bytes },
      hanging: { requests: hanging.stats.requests, openAtEnd: hanging.stats.open },
    },
    // OpenTelemetry's diag logger is one per process, so every Langfuse side hears every failure.
    exportFailuresSeen: bySide.hang.tracing.status().langfuse?.failures ?? 0,
    rssMb: { before: Math.round(rssBefore / 2 ** 20), after: Math.round(rssAfter / 2 ** 20) },
    closeMs,
    scenarios: {},
  };
  for (const name of scenarioNames) {
    const sides = {};
    for (const side of SIDE_KEYS) {
      const r = results[name][side];
      const n = rounds * turns;
      summary.measuredTurns += n;
      sides[side] = {
        label: SIDES[side].replace(/\s+/g, ' '),
        turns: n,
        medianMsPerTurn: round3(median(r.roundMeans)),
        meanMsPerTurn: round3(r.totalMs / n),
        p50Ms: round3(percentile(r.turnTimes, 50)),
        p95Ms: round3(percentile(r.turnTimes, 95)),
        roundMeansMs: r.roundMeans.map(round3),
      };
    }
    const ratio = (x, y) => ({
      median: round3(sides[x].medianMsPerTurn / sides[y].medianMsPerTurn),
      mean: round3(sides[x].meanMsPerTurn / sides[y].meanMsPerTurn),
    });
    const ratios = { 'lf/off': ratio('lf', 'off'), 'hang/lf': ratio('hang', 'lf'), 'local/off': ratio('local', 'off') };
    summary.scenarios[name] = {
      description: SCENARIOS[name].description,
      sides,
      ratios,
      meetsOnOff: ratios['lf/off'].median <= GOALS.onOff,
      meetsHangHealthy: ratios['hang/lf'].median <= GOALS.hangHealthy,
    };
  }
  summary.pass = scenarioNames.every((n) => summary.scenarios[n].meetsOnOff && summary.scenarios[n].meetsHangHealthy);
  process.stdout.write(args.json ? `${JSON.stringify(summary, null, 2)}\n` : report(summary));
}

function report(summary) {
  const f = (n) => n.toFixed(2);
  const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
  const lines = ['', 'kaged tracing overhead: one daemon per side, turns over HTTP + SSE (same scripted model)'];
  lines.push(`node ${summary.node} (${summary.platform}), ${summary.cpus} CPU(s): ${summary.cpuModel}`);
  lines.push(
    `${summary.rounds} rounds x ${summary.turnsPerRound} turns per side, interleaved, after ${summary.warmupTurns} warm-up turns per side; ${summary.measuredTurns} turns measured`,
  );
  for (const [name, s] of Object.entries(summary.scenarios)) {
    lines.push('', `scenario "${name}": ${s.description}`);
    lines.push(`  ${'ms per turn'.padEnd(42)} ${'median'.padStart(7)} ${'mean'.padStart(7)} ${'p50'.padStart(7)} ${'p95'.padStart(7)}`);
    for (const side of SIDE_KEYS) {
      const v = s.sides[side];
      lines.push(
        `  ${SIDES[side].padEnd(42)} ${f(v.medianMsPerTurn).padStart(7)} ${f(v.meanMsPerTurn).padStart(7)} ${f(v.p50Ms).padStart(7)} ${f(v.p95Ms).padStart(7)}`,
      );
    }
    const row = (key, what) => `  ${key.padEnd(10)} ${f(s.ratios[key].median).padStart(5)}  (means ${f(s.ratios[key].mean)})  ${what}`;
    lines.push(row('lf/off', `Langfuse on vs tracing off: goal <= ${f(GOALS.onOff)}: ${verdict(s.meetsOnOff)}`));
    lines.push(row('hang/lf', `Langfuse never answering vs healthy: goal <= ${f(GOALS.hangHealthy)}: ${verdict(s.meetsHangHealthy)}`));
    lines.push(row('local/off', 'local traces (the default) vs tracing off, for information'));
  }
  lines.push('');
  lines.push(
    `healthy receiver: ${summary.receivers.healthy.requests} export request(s), ${Math.round(summary.receivers.healthy.bytes / 1024)} KiB; hanging receiver: ${summary.receivers.hanging.requests} request(s), ${summary.receivers.hanging.openAtEnd} connection(s) open at the end; ${summary.exportFailuresSeen} export failure(s) counted`,
  );
  lines.push(
    `process RSS ${summary.rssMb.before} MiB after set-up, ${summary.rssMb.after} MiB after the last round; close(): ${Object.entries(summary.closeMs)
      .map(([side, ms]) => `${side} ${ms} ms`)
      .join(', ')}`,
  );
  lines.push(
    `goals: lf/off <= ${f(GOALS.onOff)} and hang/lf <= ${f(GOALS.hangHealthy)} in every scenario: ${verdict(summary.pass)}. A benchmark is a report: the exit code does not depend on it.`,
  );
  lines.push('');
  return lines.join('\n');
}

try {
  await main();
  await cleanup();
} catch (error) {
  await cleanup();
  const count = error?.errorCount ? ` (${error.errorCount} turn(s) failed; first failure below)` : '';
  log(`\ntracing-overhead: FAILED${count}`);
  log(error instanceof TurnFailure ? `  ${error.message}` : (error?.stack ?? String(error)));
  process.exitCode = 1;
}
