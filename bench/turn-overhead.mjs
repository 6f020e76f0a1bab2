#!/usr/bin/env node
// Turn-overhead benchmark: what does a turn through the kaged daemon (HTTP + SSE + harness +
// session store) cost on top of the same turn run by a bare Mastra agent in-process?
//
// The same scripted model (no LLM, no network) answers on every side, so what is measured is
// the per-turn work of the software around the model. Sides are interleaved in rounds (with
// the order rotated every round) so machine noise hits each of them equally.
//
//   (a)  bare Mastra:           new Agent(...) ; agent.stream('hello') ; drain fullStream
//   (a') bare Mastra + memory:  the same, plus Memory on LibSQL and a new thread per turn,
//                               i.e. persisting the session (thread + 2 messages) like the daemon
//   (h)  kaged harness:         the daemon's own harness.startTurn(...) in-process, no HTTP
//                               (decomposition only: splits b - a' into harness and HTTP)
//   (b)  kaged daemon:          POST /v1/agents/<id>/turns, Accept: text/event-stream, read
//                               the whole SSE body (client and daemon in this one process)
//
// Runs on the built packages: `pnpm bench` from the repository root builds first.
// Usage: node bench/turn-overhead.mjs [--rounds N] [--turns N] [--warmup N]
//                                     [--scenario text|tool|all] [--last-messages N] [--json]
// See bench/README.md for how to read the output. Exits 0 whatever the ratios are (a benchmark
// is a report, not a test); exits 1 only when something failed (a turn errored, a setup step threw).

import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { flagHelpers } from './lib/flags.mjs';
import { builtModule, resolveFromDaemon } from './lib/modules.mjs';
import { parseSse } from './lib/sse.mjs';
import { median, percentile, round3 } from './lib/stats.mjs';

const { usageError, positiveInt, nonNegativeInt, parseFlags } = flagHelpers('turn-overhead');

const GOAL_RATIO = 1.15; // goal for b/a: the daemon may cost at most 15 % more per turn than bare Mastra
const REPLY = 'Sure, here is a short scripted reply of roughly twenty words, streamed word by word so the benchmark sees real deltas.';
const USAGE = { input: 50, output: 20 };

const SCENARIOS = {
  text: {
    agentId: 'bench',
    model: 'bench',
    description: 'text only: one model call, a ~20-word reply streamed word by word',
    tools: [],
    steps: [{ text: REPLY, usage: USAGE }],
  },
  tool: {
    agentId: 'benchtool',
    model: 'benchtool',
    description: 'one tool call (current_time), then the same text: two model calls',
    tools: ['current_time'],
    steps: [
      { tools: [{ name: 'current_time', input: {} }], usage: USAGE },
      { text: REPLY, usage: USAGE },
    ],
  },
};

const SIDES = {
  a: '(a)  bare Mastra agent.stream',
  am: "(a') bare Mastra + memory (LibSQL)",
  h: '(h)  kaged harness in-process, no HTTP',
  b: '(b)  kaged daemon, HTTP + SSE',
};
const SIDE_KEYS = Object.keys(SIDES);
const MAX_STEPS = 10; // the daemon's default agent maxSteps; passed to the bare agents too

// ---------------------------------------------------------------------------------------------
// Arguments

// `pnpm bench -- --rounds 3` may hand the script a literal "--": skip it.
const args = parseFlags(
  {
    rounds: { type: 'string', default: '10' },
    turns: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '30' },
    scenario: { type: 'string', default: 'all' },
    'last-messages': { type: 'string', default: '40' },
    json: { type: 'boolean', default: false },
  },
  'usage: node bench/turn-overhead.mjs [--rounds N] [--turns N] [--warmup N] [--scenario text|tool|all] [--last-messages N] [--json]\n' +
    '  --rounds N    measured rounds (default 10); each round runs every side once\n' +
    '  --turns N     turns per side and round (default 30)\n' +
    '  --warmup N    unmeasured turns per side first (default 30)\n' +
    '  --scenario    text, tool or all (default all)\n' +
    "  --last-messages N  sessions.lastMessages of the daemon and of the memory of (a') (default 40,\n" +
    '                the daemon default). Every turn opens a new session, so the model sees no history\n' +
    '                either way; but with 0 Mastra saves no messages at all (only the thread)\n' +
    '  --json        print a machine-readable summary on stdout (progress stays on stderr)\n',
);
const rounds = positiveInt('rounds', args.rounds);
const turns = positiveInt('turns', args.turns);
const warmup = nonNegativeInt('warmup', args.warmup);
const lastMessages = nonNegativeInt('last-messages', args['last-messages']);
const scenarioNames = args.scenario === 'all' ? Object.keys(SCENARIOS) : [args.scenario];
for (const name of scenarioNames) {
  if (!SCENARIOS[name]) usageError(`--scenario must be text, tool or all (got "${args.scenario}")`);
}

// ---------------------------------------------------------------------------------------------
// Modules: the built workspace packages, and Mastra as the daemon resolves it (ESM build, so
// the bare agents run the very module instances the daemon runs).

// ---------------------------------------------------------------------------------------------
// Helpers

const log = (line) => process.stderr.write(`${line}\n`);

// A full GC before each measured block, so garbage left by one side is not collected on the
// next side's clock. (Exposed at run time: the root script runs plain `node`.)
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

class TurnFailure extends Error {}

// ---------------------------------------------------------------------------------------------
// Main

let tmp;
let daemon;
let bareStorage;

async function cleanup() {
  const d = daemon;
  daemon = undefined;
  await d?.close().catch((error) => log(`turn-overhead: closing the daemon failed: ${error.message}`));
  const s = bareStorage;
  bareStorage = undefined;
  await s?.close?.().catch(() => {});
  if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => {});
  tmp = undefined;
}

process.once('SIGINT', () => {
  log('\nturn-overhead: interrupted; cleaning up');
  cleanup().finally(() => process.exit(130));
});

async function main() {
  process.env.MASTRA_TELEMETRY_DISABLED ??= '1';

  const [{ startDaemon }, { createModelRegistry }, { createLogger }, { currentTimeTool }] = await Promise.all([
    builtModule('apps/daemon/dist/index.js'),
    builtModule('packages/llm/dist/index.js'),
    builtModule('packages/observability/dist/index.js'),
    builtModule('packages/harness/dist/index.js'),
  ]);
  const [{ Agent }, { Memory }, { LibSQLStore }] = await Promise.all([
    import(resolveFromDaemon('@mastra/core', './agent')),
    import(resolveFromDaemon('@mastra/memory')),
    import(resolveFromDaemon('@mastra/libsql')),
  ]);

  // One script for every side: the daemon loads it from script.yaml (JSON is YAML).
  const script = { models: Object.fromEntries(Object.values(SCENARIOS).map((s) => [s.model, [{ steps: s.steps }]])) };

  tmp = await mkdtemp(join(os.tmpdir(), 'kaged-bench-'));
  const projectDir = join(tmp, 'project');
  await mkdir(projectDir);
  await writeFile(join(projectDir, 'script.yaml'), JSON.stringify(script, null, 2));
  const agentsYaml = Object.values(SCENARIOS)
    .map(
      (s) =>
        `  ${s.agentId}:\n    model: demo/${s.model}\n    prompt: "You are a benchmark."\n    tools: [${s.tools.join(', ')}]\n    maxSteps: ${MAX_STEPS}\n`,
    )
    .join('');
  const projectFile = join(projectDir, 'kaged.yaml');
  await writeFile(
    projectFile,
    `version: 1\nname: bench\nproviders:\n  demo: { type: scripted, script: { file: script.yaml } }\nagents:\n${agentsYaml}sessions: { lastMessages: ${lastMessages} }\n`,
  );

  // Side (b): the daemon, in this process, on a free loopback port.
  daemon = await startDaemon({ project: projectFile, port: 0, dataDir: join(tmp, 'daemon-data'), logger: createLogger({ level: 'silent' }) });

  // Sides (a) and (a'): bare Mastra agents on a registry built from the same script.
  const registry = createModelRegistry({ providers: { demo: { type: 'scripted', script } } });
  await mkdir(join(tmp, 'bare-data'));
  bareStorage = new LibSQLStore({ id: 'bench-bare', url: `file:${join(tmp, 'bare-data', 'bare.db')}` });
  await bareStorage.init();
  const bareMemory = new Memory({ storage: bareStorage, options: { lastMessages } });
  const toolsOf = (s) => Object.fromEntries(s.tools.map((name) => [name, { current_time: currentTimeTool }[name]]));

  /** runners[scenario][side]: one turn, resolving when its whole stream has been read and checked. */
  const runners = {};
  for (const name of scenarioNames) {
    const s = SCENARIOS[name];
    const expectTool = s.tools.length > 0;
    const makeAgent = (memory) =>
      new Agent({
        id: s.agentId,
        name: s.agentId,
        instructions: 'You are a benchmark.',
        model: registry.resolve(`demo/${s.model}`),
        tools: toolsOf(s),
        ...(memory ? { memory } : {}),
      });
    const bare = makeAgent(undefined);
    const bareWithMemory = makeAgent(bareMemory);

    const runBare = async (agent, withMemory) => {
      const out = await agent.stream('hello', {
        maxSteps: MAX_STEPS,
        ...(withMemory ? { memory: { thread: randomUUID(), resource: 'default' } } : {}),
      });
      let text = '';
      let toolResults = 0;
      for await (const chunk of out.fullStream) {
        if (chunk.type === 'text-delta') text += chunk.payload.text;
        else if (chunk.type === 'tool-result') toolResults++;
        else if (chunk.type === 'error' || chunk.type === 'tool-error' || chunk.type === 'tripwire') {
          throw new TurnFailure(`bare stream chunk "${chunk.type}": ${String(chunk.payload?.error?.message ?? chunk.payload?.error ?? chunk.payload?.reason)}`);
        }
      }
      if (text !== REPLY) throw new TurnFailure(`bare turn replied ${JSON.stringify(text.slice(0, 80))}, expected the scripted reply`);
      if (expectTool && toolResults !== 1) throw new TurnFailure(`bare turn had ${toolResults} tool results, expected 1`);
    };

    const url = `${daemon.url}/v1/agents/${s.agentId}/turns`;
    const body = JSON.stringify({ message: 'hello' });
    const runDaemon = async () => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body,
      });
      const text = await response.text();
      if (!response.ok) throw new TurnFailure(`daemon answered HTTP ${response.status}: ${text.slice(0, 200)}`);
      const events = parseSse(text);
      const last = events.at(-1);
      if (last?.event !== 'turn.end') {
        throw new TurnFailure(`daemon turn ended with "${last?.event ?? '(no event)'}": ${last?.data.slice(0, 200) ?? ''}`);
      }
      const end = JSON.parse(last.data);
      if (end.text !== REPLY) throw new TurnFailure(`daemon turn replied ${JSON.stringify(String(end.text).slice(0, 80))}, expected the scripted reply`);
      if (expectTool) {
        const results = events.filter((e) => e.event === 'tool.result');
        if (results.length !== 1 || JSON.parse(results[0].data).isError) throw new TurnFailure('daemon turn: expected one successful tool.result');
      }
    };

    const runHarness = async () => {
      let last;
      let toolResults = 0;
      for await (const event of daemon.harness.startTurn({ agentId: s.agentId, message: 'hello' }).events) {
        last = event;
        if (event.type === 'tool.result' && !event.isError) toolResults++;
      }
      if (last?.type !== 'turn.end') throw new TurnFailure(`harness turn ended with "${last?.type}": ${last?.message ?? ''}`);
      if (last.text !== REPLY) throw new TurnFailure(`harness turn replied ${JSON.stringify(String(last.text).slice(0, 80))}, expected the scripted reply`);
      if (expectTool && toolResults !== 1) throw new TurnFailure(`harness turn had ${toolResults} successful tool results, expected 1`);
    };

    runners[name] = { a: () => runBare(bare, false), am: () => runBare(bareWithMemory, true), h: runHarness, b: runDaemon };
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
  log(`turn-overhead: node ${env.node}, ${env.cpus} CPU(s); ${scenarioNames.join(' + ')}; warm-up ${warmup}, then ${rounds} rounds x ${turns} turns per side`);

  // Warm-up, interleaved like the measurement, in blocks of at most `turns`.
  for (let done = 0; done < warmup; done += turns) {
    for (const name of scenarioNames) for (const side of SIDE_KEYS) await runBlock(runners[name][side], Math.min(turns, warmup - done));
  }
  if (errors > 0) throw Object.assign(firstError, { errorCount: errors });

  // Measurement: every round runs each (scenario, side) block once; the side order rotates.
  const results = {};
  for (const name of scenarioNames) {
    results[name] = Object.fromEntries(SIDE_KEYS.map((side) => [side, { roundMeans: [], totalMs: 0, turnTimes: [] }]));
  }
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
        ' ms/turn',
    );
  }
  if (errors > 0) throw Object.assign(firstError, { errorCount: errors });

  // Summary.
  const summary = {
    benchmark: 'turn-overhead',
    ...env,
    rounds,
    turnsPerRound: turns,
    warmupTurns: warmup,
    lastMessages,
    measuredTurns: 0,
    goal: { ratio: 'b/a', max: GOAL_RATIO, scenario: 'text' },
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
    const ratios = {
      'b/a': ratio('b', 'a'),
      "b/a'": ratio('b', 'am'),
      'b/h': ratio('b', 'h'),
      "h/a'": ratio('h', 'am'),
      "a'/a": ratio('am', 'a'),
    };
    const extra = (x, y) => round3(sides[x].medianMsPerTurn - sides[y].medianMsPerTurn);
    summary.scenarios[name] = {
      description: SCENARIOS[name].description,
      sides,
      ratios,
      // b - a split into three layers (medians, ms per turn; noise can make a layer negative).
      extraMsPerTurn: { total: extra('b', 'a'), memory: extra('am', 'a'), harness: extra('h', 'am'), http: extra('b', 'h') },
      meetsGoal: ratios['b/a'].median <= GOAL_RATIO,
      kagedOnlyMeetsGoal: ratios["b/a'"].median <= GOAL_RATIO,
    };
  }
  summary.pass = summary.scenarios.text ? summary.scenarios.text.meetsGoal : scenarioNames.every((n) => summary.scenarios[n].meetsGoal);

  if (args.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    process.stdout.write(report(summary));
  }
}

function report(summary) {
  const f = (n) => n.toFixed(2);
  const signed = (n) => `${n >= 0 ? '+' : ''}${n.toFixed(2)}`;
  const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
  const lines = [];
  lines.push('');
  lines.push('kaged turn overhead: bare Mastra vs the kaged daemon over HTTP + SSE (same scripted model)');
  lines.push(`node ${summary.node} (${summary.platform}), ${summary.cpus} CPU(s): ${summary.cpuModel}`);
  lines.push(
    `${summary.rounds} rounds x ${summary.turnsPerRound} turns per side, interleaved, after ${summary.warmupTurns} warm-up turns per side; ` +
      `${summary.measuredTurns} turns measured; sessions.lastMessages ${summary.lastMessages}`,
  );
  for (const [name, s] of Object.entries(summary.scenarios)) {
    const r = s.ratios;
    const x = s.extraMsPerTurn;
    lines.push('');
    lines.push(`scenario "${name}": ${s.description}`);
    lines.push(`  ${'ms per turn'.padEnd(40)} ${'median'.padStart(7)} ${'mean'.padStart(7)} ${'p50'.padStart(7)} ${'p95'.padStart(7)}`);
    for (const side of SIDE_KEYS) {
      const v = s.sides[side];
      lines.push(
        `  ${SIDES[side].padEnd(40)} ${f(v.medianMsPerTurn).padStart(7)} ${f(v.meanMsPerTurn).padStart(7)} ${f(v.p50Ms).padStart(7)} ${f(v.p95Ms).padStart(7)}`,
      );
    }
    lines.push('  (median = median of the per-round means; mean = all turns; p50/p95 = single turns)');
    const row = (label, key, what) => `  ${label.padEnd(11)} ${f(r[key].median).padStart(5)}  (means ${f(r[key].mean)})  ${what}`;
    lines.push(row('b/a', 'b/a', `daemon vs bare Mastra: THE GOAL, <= ${f(GOAL_RATIO)}: ${verdict(s.meetsGoal)}`));
    lines.push(
      row("b/a'", "b/a'", `daemon vs bare Mastra persisting the session too: kaged's own overhead (same bar: ${verdict(s.kagedOnlyMeetsGoal)}, informative)`),
    );
    lines.push(row('b/h', 'b/h', 'HTTP + SSE layer (server and in-process fetch client)'));
    lines.push(row("h/a'", "h/a'", 'kaged harness (incl. Mastra instance with storage) vs bare agent + memory'));
    lines.push(row("a'/a", "a'/a", 'Mastra memory on LibSQL vs none'));
    lines.push(`  b - a = ${f(x.total)} ms/turn = memory ${signed(x.memory)} (a'-a) + harness ${signed(x.harness)} (h-a') + HTTP/SSE ${signed(x.http)} (b-h)`);
  }
  lines.push('');
  const text = summary.scenarios.text;
  const head = text
    ? `goal: b/a <= ${f(GOAL_RATIO)} on the text scenario: ${verdict(text.meetsGoal)} (b/a = ${f(text.ratios['b/a'].median)}, b/a' = ${f(text.ratios["b/a'"].median)})`
    : `goal: b/a <= ${f(GOAL_RATIO)}: ${verdict(summary.pass)}`;
  lines.push(`${head}. A benchmark is a report: the exit code does not depend on it.`);
  lines.push('');
  return lines.join('\n');
}

try {
  await main();
  await cleanup();
} catch (error) {
  await cleanup();
  const count = error?.errorCount ? ` (${error.errorCount} turn(s) failed; first failure below)` : '';
  log(`\nturn-overhead: FAILED${count}`);
  log(error instanceof TurnFailure ? `  ${error.message}` : (error?.stack ?? String(error)));
  process.exitCode = 1;
}
