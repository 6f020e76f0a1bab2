#!/usr/bin/env node
// Trace retention benchmark (issue 16, item 3): does `observability.localTraces.maxTraces` hold
// at any volume, and does what traces take in kaged.db stop growing once it does?
//
// A real `kaged start` (the built CLI) on a copy of examples/hello with `maxTraces` set, driven by
// --clients concurrent HTTP clients in four equal steps up to --turns turns. After each step (and
// a pause for the exporter's last batch and the prune that follows it) the benchmark opens the
// daemon's kaged.db beside it, read-only through LibSQL, and prints the traces and spans it holds,
// their text, the session messages, and the file's size and pages.
//
// Runs on the built packages: `pnpm bench:retention` from the repository root builds first.
// Usage: node bench/trace-retention.mjs [--turns N] [--max-traces M] [--clients N] [--json]
// Exits 0 whatever the goal says (a benchmark is a report); 1 when something failed; 2 for a bad flag.

import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { flagHelpers } from './lib/flags.mjs';
import { root } from './lib/modules.mjs';

const { positiveInt, parseFlags } = flagHelpers('trace-retention');

const args = parseFlags(
  {
    turns: { type: 'string', default: '1200' },
    'max-traces': { type: 'string', default: '100' },
    clients: { type: 'string', default: '6' },
    json: { type: 'boolean', default: false },
  },
  'usage: node bench/trace-retention.mjs [--turns N] [--max-traces M] [--clients N] [--json]\n' +
    '  --turns N       turns in all, in four equal steps (default 1200: twelve times the limit)\n' +
    '  --max-traces M  observability.localTraces.maxTraces of the project (default 100)\n' +
    '  --clients N     concurrent HTTP clients (default 6): bursts of traces while pruning runs\n' +
    '  --json          print the steps as JSON on stdout\n',
);
const TURNS = positiveInt('turns', args.turns);
const MAX_TRACES = positiveInt('max-traces', args['max-traces']);
const CLIENTS = positiveInt('clients', args.clients);
// A prune runs after every maxTraces / 10 new traces: at most that many over the limit at a look.
const PRUNE_BATCH = Math.max(1, Math.ceil(MAX_TRACES / 10));
const MESSAGES = ['hello there', 'what time is it?', 'research the moon'];

const { createClient } = createRequire(join(root, 'apps/daemon/package.json'))('@libsql/client');

const dir = mkdtempSync(join(tmpdir(), 'kaged-retention-'));
const projectDir = join(dir, 'project');
const dataDir = join(dir, 'data');
cpSync(join(root, 'examples/hello'), projectDir, { recursive: true, filter: (path) => !path.includes('.kaged') });
const projectFile = join(projectDir, 'kaged.yaml');
writeFileSync(projectFile, `${readFileSync(projectFile, 'utf8')}\nobservability:\n  localTraces:\n    maxTraces: ${MAX_TRACES}\n`);

let daemon;
let db;
try {
  const { url, child } = await startDaemon();
  daemon = child;
  db = createClient({ url: `file:${join(dataDir, 'kaged.db')}` });
  const steps = [];
  let started = 0;
  for (const until of [1, 2, 3, 4].map((k) => Math.round((k * TURNS) / 4))) {
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        while (started < until) {
          const i = started++;
          const response = await fetch(`${url}/v1/agents/assistant/turns`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ message: MESSAGES[i % MESSAGES.length], sessionId: `c${client}-${Math.floor(i / 10)}` }),
          });
          if (!response.ok) throw new Error(`turn ${i}: HTTP ${response.status} ${await response.text()}`);
          await response.arrayBuffer();
        }
      }),
    );
    // The exporter writes at the latest every second; the prune follows the write.
    await sleep(2500);
    steps.push({ turns: until, ...(await look(db)) });
    const s = steps.at(-1);
    process.stderr.write(
      `after ${String(until).padStart(6)} turns: ${s.traces} traces (${s.spans} spans, ${kb(s.spanBytes)} of span text), ` +
        `${s.messages} messages (${kb(s.messageBytes)}), kaged.db ${(s.fileBytes / 1048576).toFixed(2)} MB (${s.pages} pages, ${s.freePages} free)\n`,
    );
  }
  const worst = Math.max(...steps.map((s) => s.traces));
  const first = steps[0];
  const last = steps.at(-1);
  const summary = {
    turns: TURNS,
    maxTraces: MAX_TRACES,
    clients: CLIENTS,
    steps,
    mostTraces: worst,
    spanTextGrowth: last.spanBytes / first.spanBytes,
    fileBytesPerTurnAfterFirstStep: (last.fileBytes - first.fileBytes) / (last.turns - first.turns),
    messageBytesPerTurnAfterFirstStep: (last.messageBytes - first.messageBytes) / (last.turns - first.turns),
  };
  if (args.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    const pass = worst <= MAX_TRACES + PRUNE_BATCH;
    console.log(`\ntrace retention: ${TURNS} turns (${(TURNS / MAX_TRACES).toFixed(1)}x maxTraces ${MAX_TRACES}), ${CLIENTS} clients`);
    console.log(
      `most traces at a look        ${String(worst).padStart(8)}   goal <= ${MAX_TRACES} + ${PRUNE_BATCH} (one prune batch)  ${pass ? 'PASS' : 'FAIL'}`,
    );
    console.log(`span text, last / first look ${summary.spanTextGrowth.toFixed(3).padStart(8)}   (flat once the limit holds)`);
    console.log(`kaged.db growth per turn     ${kb(summary.fileBytesPerTurnAfterFirstStep).padStart(8)}   after the first step`);
    console.log(`  of which message text      ${kb(summary.messageBytesPerTurnAfterFirstStep).padStart(8)}   (session history, kept by design)`);
  }
} catch (error) {
  process.stderr.write(`trace-retention: ${error.stack ?? error}\n`);
  process.exitCode = 1;
} finally {
  db?.close();
  if (daemon && daemon.exitCode === null) {
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
  }
  rmSync(dir, { recursive: true, force: true });
}

async function startDaemon() {
  const child = spawn(
    process.execPath,
    [join(root, 'apps/daemon/dist/cli.js'), 'start', '--project', projectFile, '--port', '0', '--data-dir', dataDir, '--log-format', 'json'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  for (let waited = 0; waited < 30_000; waited += 50) {
    const url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
    if (url) return { url, child };
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  throw new Error(`the daemon did not start:\n${stderr}`);
}

async function look(client) {
  const one = async (sql) => (await client.execute(sql)).rows[0];
  const spans = await one(
    "SELECT COUNT(*) AS n, COUNT(DISTINCT traceId) AS traces, SUM(LENGTH(COALESCE(input, '')) + LENGTH(COALESCE(output, '')) + LENGTH(COALESCE(attributes, '')) + LENGTH(COALESCE(metadata, ''))) AS bytes FROM mastra_ai_spans",
  );
  const messages = await one('SELECT COUNT(*) AS n, SUM(LENGTH(content)) AS bytes FROM mastra_messages');
  return {
    traces: Number(spans.traces),
    spans: Number(spans.n),
    spanBytes: Number(spans.bytes),
    messages: Number(messages.n),
    messageBytes: Number(messages.bytes),
    fileBytes: statSync(join(dataDir, 'kaged.db')).size,
    pages: Number((await one('PRAGMA page_count')).page_count),
    freePages: Number((await one('PRAGMA freelist_count')).freelist_count),
  };
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(bytes < 10_240 ? 1 : 0)} KB`;
}
