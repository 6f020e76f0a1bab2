#!/usr/bin/env node
// kaged against the operator's other choice, Mastra's own HTTP server (`@mastra/hono`'s
// MastraServer on `@hono/node-server`), serving the same scripted agent with the same memory
// (LibSQL, lastMessages 40, a new session per turn) and the same trace store (local traces into
// that LibSQL file). Each server runs alone in a child process (bench/lib/peer-servers.mjs);
// the clients run here. Two parts:
//
//   turns  time per turn at 1 and at 16 concurrent clients: blocks of turns, interleaved
//          (sides rotate every round), each turn's whole SSE body read and checked.
//          Goal: kaged/mastra <= 1.0 at both.
//   ttft   first token: a loopback OpenAI-compatible model (in this process) waits a fixed
//          delay, writes the first text chunk and notes the time; the client notes when its first
//          text event arrives (the rest of the reply follows 30 ms later). The gap is what the
//          server and the provider adapter add. A bare
//          Mastra agent.stream() in this process on the same model gives the floor (provider
//          parsing + Mastra's stream), so kaged - bare is what kaged adds. Goal: p95 <= 5 ms.
//
// Usage: node bench/mastra-server-peer.mjs [--part turns|ttft|all] [--rounds N] [--turns N]
//          [--warmup N] [--clients 1,16] [--ttft-turns N] [--first-token-ms N] [--json]
// Exit code 0 whatever the ratios (a report, not a test); 1 when a turn or a start failed; 2 bad flag.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagHelpers } from './lib/flags.mjs';
import { builtModule, resolveFromDaemon } from './lib/modules.mjs';
import { AGENT_ID, LAST_MESSAGES, MAX_STEPS, projectYaml } from './lib/peer-servers.mjs';
import { parseSse } from './lib/sse.mjs';
import { median, percentile, round3 } from './lib/stats.mjs';

const { usageError, positiveInt, nonNegativeInt, parseFlags } = flagHelpers('mastra-server-peer');

const REPLY = 'Sure, here is a short scripted reply of roughly twenty words, streamed word by word so the benchmark sees real deltas.';
const GOAL_RATIO = 1.0;
const GOAL_TTFT_P95_MS = 5;
const REST_AFTER_MS = 30; // first-token part: the model sends the rest of the reply this long after its first token
const SIDES = { kaged: 'kaged daemon  POST /v1/agents/:id/turns', mastra: 'Mastra server POST /api/agents/:id/stream' };
const SIDE_KEYS = Object.keys(SIDES);

const args = parseFlags(
  {
    part: { type: 'string', default: 'all' },
    rounds: { type: 'string', default: '8' },
    turns: { type: 'string', default: '48' },
    warmup: { type: 'string', default: '48' },
    clients: { type: 'string', default: '1,16' },
    'ttft-turns': { type: 'string', default: '200' },
    'first-token-ms': { type: 'string', default: '20' },
    json: { type: 'boolean', default: false },
  },
  'usage: node bench/mastra-server-peer.mjs [--part turns|ttft|all] [--rounds N] [--turns N] [--warmup N] [--clients 1,16] [--ttft-turns N] [--first-token-ms N] [--json]\n' +
    '  --rounds N          measured rounds of the turns part (default 8)\n' +
    '  --turns N           turns per side, concurrency and round (default 48), shared among the clients\n' +
    '  --warmup N          unmeasured turns per side and concurrency first (default 48)\n' +
    '  --clients LIST      concurrent clients to measure, comma-separated (default 1,16)\n' +
    '  --ttft-turns N      turns per side of the first-token part (default 200), interleaved in blocks of 20\n' +
    '  --first-token-ms N  the model waits this long before its first token (default 20)\n',
);
if (!['turns', 'ttft', 'all'].includes(args.part)) usageError(`--part must be turns, ttft or all (got "${args.part}")`);
const rounds = positiveInt('rounds', args.rounds);
const turns = positiveInt('turns', args.turns);
const warmup = nonNegativeInt('warmup', args.warmup);
const clientCounts = args.clients.split(',').map((c) => positiveInt('clients', c.trim()));
const ttftTurns = positiveInt('ttft-turns', args['ttft-turns']);
const firstTokenMs = nonNegativeInt('first-token-ms', args['first-token-ms']);

const log = (line) => process.stderr.write(`${line}\n`);
class TurnFailure extends Error {}

// ---------------------------------------------------------------------------------------------
// Servers in child processes

const children = new Set();
let tmp;
let inProcessDaemon;

async function startServer(side, dir, config) {
  await mkdir(dir, { recursive: true });
  if (side === 'kaged') {
    await writeFile(join(dir, 'script.yaml'), JSON.stringify(config.script ?? { models: {} }));
    await writeFile(join(dir, 'kaged.yaml'), projectYaml({ scriptFile: 'script.yaml', modelUrl: config.modelUrl }));
  }
  const script = fileURLToPath(new URL('./lib/peer-servers.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, side, dir, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let buffered = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buffered.slice(0, nl)).url);
    });
    child.once('exit', (code) => reject(new Error(`the ${side} server exited with code ${code} before listening`)));
  });
  return { side, url, child };
}

async function stopAll() {
  await Promise.all(
    [...children].map(async (child) => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await once(child, 'exit').catch(() => {});
      clearTimeout(timer);
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// One turn per side, whole body read and checked

function turnRequest(server) {
  if (server.side === 'kaged') {
    return [
      `${server.url}/v1/agents/${AGENT_ID}/turns`,
      { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ message: 'hello' }) },
    ];
  }
  return [
    `${server.url}/api/agents/${AGENT_ID}/stream`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hello' }], memory: { thread: randomUUID(), resource: 'default' } }),
    },
  ];
}

/** The reply text of a whole SSE body, checked for a clean end. */
function replyOf(side, body) {
  const events = parseSse(body);
  if (side === 'kaged') {
    const last = events.at(-1);
    if (last?.event !== 'turn.end') throw new TurnFailure(`kaged turn ended with "${last?.event}": ${last?.data.slice(0, 200)}`);
    return JSON.parse(last.data).text;
  }
  let text = '';
  let finished = false;
  for (const { data } of events) {
    if (data === '[DONE]') continue;
    const chunk = JSON.parse(data);
    if (chunk.type === 'text-delta') text += chunk.payload.text;
    else if (chunk.type === 'finish') finished = true;
    else if (chunk.type === 'error') throw new TurnFailure(`Mastra server chunk "error": ${JSON.stringify(chunk.payload).slice(0, 200)}`);
  }
  if (!finished) throw new TurnFailure('Mastra server stream had no "finish" chunk');
  return text;
}

async function runTurn(server) {
  const response = await fetch(...turnRequest(server));
  const body = await response.text();
  if (!response.ok) throw new TurnFailure(`${server.side} answered HTTP ${response.status}: ${body.slice(0, 200)}`);
  const text = replyOf(server.side, body);
  if (text !== REPLY) throw new TurnFailure(`${server.side} replied ${JSON.stringify(String(text).slice(0, 80))}, expected the scripted reply`);
}

let errors = 0;
let firstError;

/** `count` turns shared among `clients` concurrent clients; returns the block's wall time. */
async function runBlock(server, count, clients, times) {
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < count) {
      next++;
      const t0 = performance.now();
      try {
        await runTurn(server);
      } catch (error) {
        errors++;
        firstError ??= error;
      }
      times?.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(clients, count) }, client));
  return performance.now() - started;
}

// ---------------------------------------------------------------------------------------------
// Part 1: time per turn

async function turnsPart() {
  const script = { models: { bench: [{ steps: [{ text: REPLY, usage: { input: 50, output: 20 } }] }] } };
  const servers = {};
  for (const side of SIDE_KEYS) servers[side] = await startServer(side, join(tmp, `turns-${side}`), { script });
  log(
    `turns: kaged ${servers.kaged.url}, Mastra ${servers.mastra.url}; warm-up ${warmup}, then ${rounds} rounds x ${turns} turns per side at ${clientCounts.join(' and ')} client(s)`,
  );
  for (const c of clientCounts) for (const side of SIDE_KEYS) await runBlock(servers[side], warmup, c);
  if (errors) throw firstError;

  const results = Object.fromEntries(clientCounts.map((c) => [c, Object.fromEntries(SIDE_KEYS.map((s) => [s, { roundMeans: [], times: [] }]))]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...SIDE_KEYS].reverse() : SIDE_KEYS;
    for (const c of clientCounts) {
      for (const side of order) {
        const res = results[c][side];
        res.roundMeans.push((await runBlock(servers[side], turns, c, res.times)) / turns);
      }
    }
    if (errors) throw firstError;
    log(
      `  round ${r + 1}/${rounds}: ` +
        clientCounts.map((c) => `${c} client(s) ${SIDE_KEYS.map((s) => `${s}=${results[c][s].roundMeans.at(-1).toFixed(2)}`).join(' ')}`).join('  ') +
        ' ms/turn',
    );
  }
  const out = {};
  for (const c of clientCounts) {
    const sides = {};
    for (const side of SIDE_KEYS) {
      const res = results[c][side];
      sides[side] = {
        medianMsPerTurn: round3(median(res.roundMeans)),
        latencyP50Ms: round3(percentile(res.times, 50)),
        latencyP95Ms: round3(percentile(res.times, 95)),
        roundMeansMs: res.roundMeans.map(round3),
      };
    }
    const ratio = round3(sides.kaged.medianMsPerTurn / sides.mastra.medianMsPerTurn);
    // Per-round ratios: each round's two blocks ran back to back, so their ratio is the least noisy figure.
    const roundRatios = results[c].kaged.roundMeans.map((k, i) => round3(k / results[c].mastra.roundMeans[i]));
    out[c] = { sides, ratio, roundRatios, medianRoundRatio: round3(median(roundRatios)), meetsGoal: ratio <= GOAL_RATIO };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Part 2: first token

/** An OpenAI-compatible chat server: waits `firstTokenMs`, writes the first word, notes when, then the rest. */
async function startFirstTokenModel() {
  const firstTokenAt = [];
  const words = REPLY.match(/\S+\s*/g);
  const chunk = (delta, extra = {}) =>
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'bench', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(chunk({ role: 'assistant', content: '' }));
      setTimeout(() => {
        firstTokenAt.push(performance.now());
        res.write(chunk({ content: words[0] }));
        // The rest comes later, as from a real model: sent at once, the whole reply would reach
        // the server in one go and the first token's gap would include the end of the turn
        // (Mastra saving the messages, synchronous LibSQL writes) instead of the first token's path.
        setTimeout(() => finish(res), REST_AFTER_MS);
      }, firstTokenMs);
    });
  });
  const finish = (res) => {
    res.write(
      words
        .slice(1)
        .map((w) => chunk({ content: w }))
        .join(''),
    );
    res.write(
      `data: ${JSON.stringify({
        id: 'c',
        object: 'chat.completion.chunk',
        created: 0,
        model: 'bench',
        choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
        usage: { prompt_tokens: 50, completion_tokens: 20, total_tokens: 70 },
      })}\n\ndata: [DONE]\n\n`,
    );
    res.end();
  };
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${server.address().port}/v1`, firstTokenAt, close: () => new Promise((r) => server.close(r)) };
}

/** One turn over HTTP; returns the time the first text event arrived (whole body still read and checked). */
async function firstTextAt(server) {
  const marker = server.side === 'kaged' ? 'event: text.delta' : '"type":"text-delta"';
  const response = await fetch(...turnRequest(server));
  if (!response.ok) throw new TurnFailure(`${server.side} answered HTTP ${response.status}: ${await response.text()}`);
  const decoder = new TextDecoder();
  let body = '';
  let at;
  for await (const bytes of response.body) {
    body += decoder.decode(bytes, { stream: true });
    if (at === undefined && body.includes(marker)) at = performance.now();
  }
  const text = replyOf(server.side, body);
  if (text !== REPLY) throw new TurnFailure(`${server.side} replied ${JSON.stringify(String(text).slice(0, 80))}`);
  return at;
}

async function ttftPart() {
  const model = await startFirstTokenModel();
  const servers = {};
  for (const side of SIDE_KEYS) servers[side] = await startServer(side, join(tmp, `ttft-${side}`), { modelUrl: model.url });
  // The floor: a bare Mastra agent in this process on the same model (no HTTP server, no memory).
  const [{ createModelRegistry }, { Agent }] = await Promise.all([
    builtModule('packages/llm/dist/index.js'),
    import(resolveFromDaemon('@mastra/core', './agent')),
  ]);
  const registry = createModelRegistry({ providers: { demo: { type: 'openai-compatible', baseURL: model.url, apiKey: 'bench' } } });
  const bare = new Agent({ id: 'bare', name: 'bare', instructions: 'You are a benchmark.', model: registry.resolve('demo/bench') });
  const runBare = async () => {
    const out = await bare.stream('hello', { maxSteps: MAX_STEPS });
    let at;
    let text = '';
    for await (const chunk of out.fullStream) {
      if (chunk.type === 'text-delta') {
        at ??= performance.now();
        text += chunk.payload.text;
      }
    }
    if (text !== REPLY) throw new TurnFailure(`bare agent replied ${JSON.stringify(text.slice(0, 80))}`);
    return at;
  };
  // The same daemon in this process (no wake-up of another process on the path), over HTTP and
  // through its harness directly: splits the child's gap into scheduling, HTTP/SSE and the rest.
  const inDir = join(tmp, 'ttft-in-process');
  await mkdir(inDir, { recursive: true });
  await writeFile(join(inDir, 'kaged.yaml'), projectYaml({ modelUrl: model.url }));
  const [{ startDaemon }, { createLogger }] = await Promise.all([
    builtModule('apps/daemon/dist/index.js'),
    builtModule('packages/observability/dist/index.js'),
  ]);
  inProcessDaemon = await startDaemon({ project: join(inDir, 'kaged.yaml'), port: 0, dataDir: join(inDir, 'data'), logger: createLogger({ level: 'silent' }) });
  const inProcess = { side: 'kaged', url: inProcessDaemon.url };
  const runHarness = async () => {
    let at;
    let last;
    for await (const event of inProcessDaemon.harness.startTurn({ agentId: AGENT_ID, message: 'hello' }).events) {
      if (event.type === 'text.delta') at ??= performance.now();
      last = event;
    }
    if (last?.type !== 'turn.end' || last.text !== REPLY) throw new TurnFailure(`harness turn ended with ${last?.type}`);
    return at;
  };
  const runners = {
    kaged: () => firstTextAt(servers.kaged),
    mastra: () => firstTextAt(servers.mastra),
    kagedIn: () => firstTextAt(inProcess),
    harness: runHarness,
    bare: runBare,
  };
  const gaps = Object.fromEntries(Object.keys(runners).map((k) => [k, []]));
  const keys = Object.keys(runners);
  const block = 20;
  log(
    `ttft: model waits ${firstTokenMs} ms before its first token; ${ttftTurns} turns per side (kaged, Mastra server, bare agent), one client, interleaved in blocks of ${block}`,
  );
  for (let i = 0; i < 10; i++) for (const k of keys) await runners[k]();
  for (let done = 0, r = 0; done < ttftTurns; done += block, r++) {
    for (const k of r % 2 ? [...keys].reverse() : keys) {
      for (let i = 0; i < Math.min(block, ttftTurns - done); i++) {
        const before = model.firstTokenAt.length;
        try {
          const at = await runners[k]();
          if (model.firstTokenAt.length !== before + 1 || at === undefined) throw new TurnFailure(`${k}: expected one model call and a text event`);
          gaps[k].push(at - model.firstTokenAt[before]);
        } catch (error) {
          errors++;
          firstError ??= error;
        }
      }
    }
    if (errors) throw firstError;
  }
  await inProcessDaemon.close();
  inProcessDaemon = undefined;
  await model.close();
  const stats = Object.fromEntries(
    keys.map((k) => [
      k,
      { p50Ms: round3(percentile(gaps[k], 50)), p95Ms: round3(percentile(gaps[k], 95)), p99Ms: round3(percentile(gaps[k], 99)), turns: gaps[k].length },
    ]),
  );
  const addedP95 = round3(stats.kaged.p95Ms - stats.bare.p95Ms);
  return {
    firstTokenMs,
    stats,
    kagedAddsP95Ms: addedP95,
    meetsGoal: stats.kaged.p95Ms <= GOAL_TTFT_P95_MS,
    kagedOverBareMeetsGoal: addedP95 <= GOAL_TTFT_P95_MS,
  };
}

// ---------------------------------------------------------------------------------------------

function report(summary) {
  const f = (n) => n.toFixed(2);
  const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
  const lines = ['', "kaged vs Mastra's own HTTP server (same scripted agent, LibSQL memory, local traces into LibSQL)"];
  lines.push(`node ${summary.node}, ${summary.cpus} CPU(s), load average at the end ${summary.loadAverage.map(f).join(' ')}`);
  if (summary.turns) {
    lines.push('', `time per turn: ${summary.rounds} rounds x ${summary.turnsPerRound} turns per side, interleaved, new session per turn`);
    lines.push(`  ${'clients'.padEnd(8)} ${'side'.padEnd(44)} ${'ms/turn'.padStart(8)} ${'lat p50'.padStart(8)} ${'lat p95'.padStart(8)}`);
    for (const [c, r] of Object.entries(summary.turns)) {
      for (const side of SIDE_KEYS) {
        const s = r.sides[side];
        lines.push(
          `  ${String(c).padEnd(8)} ${SIDES[side].padEnd(44)} ${f(s.medianMsPerTurn).padStart(8)} ${f(s.latencyP50Ms).padStart(8)} ${f(s.latencyP95Ms).padStart(8)}`,
        );
      }
      lines.push(
        `  ${String(c).padEnd(8)} kaged/mastra ${f(r.ratio)} (median of per-round ratios ${f(r.medianRoundRatio)}): goal <= ${f(GOAL_RATIO)}: ${verdict(r.meetsGoal)}`,
      );
    }
    lines.push('  (ms/turn = median of the per-round block means, i.e. wall time / turns; latency = single turns)');
  }
  if (summary.ttft) {
    const t = summary.ttft;
    lines.push('', `first token: the model waits ${t.firstTokenMs} ms, then streams; gap = client's first text event - model's first token written`);
    const names = {
      kaged: 'kaged daemon, own process, HTTP',
      mastra: 'Mastra server, own process, HTTP',
      kagedIn: 'kaged daemon in this process, HTTP',
      harness: 'kaged harness in this process, no HTTP',
      bare: 'bare agent.stream in this process',
    };
    for (const [k, s] of Object.entries(t.stats))
      lines.push(`  ${names[k].padEnd(40)} p50 ${f(s.p50Ms).padStart(6)}  p95 ${f(s.p95Ms).padStart(6)}  p99 ${f(s.p99Ms).padStart(6)} ms`);
    lines.push(
      `  kaged gap p95 ${f(t.stats.kaged.p95Ms)} ms: goal <= ${GOAL_TTFT_P95_MS} ms: ${verdict(t.meetsGoal)}; over the bare floor +${f(t.kagedAddsP95Ms)} ms: ${verdict(t.kagedOverBareMeetsGoal)}`,
    );
  }
  lines.push('', 'A benchmark is a report: the exit code does not depend on the goals.', '');
  return lines.join('\n');
}

async function main() {
  process.env.MASTRA_TELEMETRY_DISABLED ??= '1';
  tmp = await mkdtemp(join(os.tmpdir(), 'kaged-peer-'));
  const summary = { benchmark: 'mastra-server-peer', node: process.version, cpus: os.availableParallelism(), lastMessages: LAST_MESSAGES };
  if (args.part !== 'ttft') {
    Object.assign(summary, { rounds, turnsPerRound: turns, warmupTurns: warmup });
    summary.turns = await turnsPart();
    await stopAll();
  }
  if (args.part !== 'turns') {
    summary.ttft = await ttftPart();
    await stopAll();
  }
  summary.loadAverage = os.loadavg();
  process.stdout.write(args.json ? `${JSON.stringify(summary, null, 2)}\n` : report(summary));
}

process.once('SIGINT', () => {
  stopAll().finally(() => process.exit(130));
});

try {
  await main();
} catch (error) {
  log(`\nmastra-server-peer: FAILED${errors ? ` (${errors} turn(s) failed; first failure below)` : ''}`);
  log(error instanceof TurnFailure ? `  ${error.message}` : (error?.stack ?? String(error)));
  process.exitCode = 1;
} finally {
  await inProcessDaemon?.close().catch(() => {});
  await stopAll();
  if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => {});
}
