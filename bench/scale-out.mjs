#!/usr/bin/env node
// Scale-out benchmark: turns per second through two kaged daemons sharing one PostgreSQL,
// against one daemon on its embedded LibSQL file (the default), measured in the same run.
//
//   (L)  one daemon, storage: libsql (kaged.db in a temp data directory)
//   (P1) one daemon, storage: postgres (for the cost of the database server alone)
//   (P2) two daemons, storage: postgres, the same database; clients alternate between them
//
// Every daemon is a real `kaged start` process (apps/daemon/dist/cli.js) on a scripted model (no
// LLM, no network), so what is measured is the daemon and its session store. The same number of
// concurrent clients drive each side for the same time; each client keeps one session, so every
// turn reads the session's history and writes two messages. Sides run in rounds, order rotated.
//
// PostgreSQL: --database-url URL (or DATABASE_URL); without one, and as root on a machine with
// Debian's postgresql (as the tests install it), a fresh database on the local cluster is made
// and dropped afterwards.
//
// Usage: node bench/scale-out.mjs [--seconds N] [--clients N] [--rounds N] [--database-url URL] [--json]
// Runs on the built daemon: `pnpm bench:scale` builds first. On a machine with few cores the
// daemons, PostgreSQL and the clients share them: read the ratio as "what sharing the store
// costs here", not as the gain of adding a machine.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { flagHelpers } from './lib/flags.mjs';
import { root } from './lib/modules.mjs';
import { parseSse } from './lib/sse.mjs';
import { median, round3 } from './lib/stats.mjs';

const { usageError, positiveInt } = flagHelpers('scale-out');
const cli = join(root, 'apps/daemon/dist/cli.js');

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    clients: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    'database-url': { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write('Usage: node bench/scale-out.mjs [--seconds N] [--clients N] [--rounds N] [--database-url URL] [--json]\n');
  process.exit(0);
}
const seconds = positiveInt('seconds', values.seconds);
const clients = positiveInt('clients', values.clients);
const rounds = positiveInt('rounds', values.rounds);

const REPLY = 'Sure, here is a short scripted reply of about twenty words, streamed word by word like a model would.';

function projectYaml(storage) {
  return `version: 1
name: scale-out
providers:
  bench: { type: scripted, script: { file: script.yaml } }
agents:
  bench:
    model: bench/bench
    prompt: "You are the benchmark agent."
sessions: { lastMessages: 10 }
observability:
  localTraces: { enabled: false }
${storage}`;
}

const script = `models:
  bench:
    - steps:
        - text: "${REPLY}"
          usage: { input: 50, output: 20 }
`;

/** A database for the run: the given URL, or a fresh one on the local cluster (dropped at the end). */
function postgresDatabase() {
  const given = values['database-url'] ?? process.env.DATABASE_URL;
  if (given) return { url: given, drop: () => {} };
  if (process.getuid?.() !== 0 || spawnSync('sh', ['-c', 'command -v pg_ctlcluster']).status !== 0) {
    usageError("pass --database-url postgres://… (or DATABASE_URL), or run as root on a machine with Debian's postgresql installed");
  }
  const cluster = spawnSync('pg_lsclusters', ['-h'], { encoding: 'utf8' }).stdout.trim().split('\n')[0]?.split(/\s+/);
  if (!cluster) usageError('no PostgreSQL cluster on this machine (pg_lsclusters lists none)');
  const [version, name, port, status] = cluster;
  if (status !== 'online') spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start'], { stdio: 'inherit' });
  const db = `kaged_bench_${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const psql = (sql) => {
    const result = spawnSync('su', ['postgres', '-c', `psql -v ON_ERROR_STOP=1 -p ${port} -AXtq -d postgres`], { input: sql, encoding: 'utf8', cwd: '/' });
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
  };
  psql(`CREATE ROLE "${db}" LOGIN PASSWORD '${password}'; CREATE DATABASE "${db}" OWNER "${db}";`);
  return {
    url: `postgres://${db}:${password}@127.0.0.1:${port}/${db}`,
    drop: () => psql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE); DROP ROLE IF EXISTS "${db}";`),
  };
}

/** A `kaged start` process; resolves with its URL once it listens. */
function startDaemon(projectFile, dataDir, env) {
  const child = spawn(process.execPath, [cli, 'start', '--project', projectFile, '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) resolve({ url: match[1], stop: () => stopProcess(child) });
    });
    child.once('exit', (code) => reject(new Error(`kaged start exited ${code}: ${stderr.trim()}`)));
  });
}

function stopProcess(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

async function turn(url, sessionId, i) {
  const response = await fetch(`${url}/v1/agents/bench/turns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ message: `turn ${i}`, sessionId }),
  });
  const events = parseSse(await response.text());
  const last = events.at(-1);
  if (!response.ok || last?.event !== 'turn.end') throw new Error(`turn failed: HTTP ${response.status} ${JSON.stringify(last?.data ?? null)}`);
}

/** `clients` loops sending turns for `seconds`, spread over `urls`; turns per second. */
async function drive(urls, label) {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const run = `${label}-${randomBytes(3).toString('hex')}`;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; performance.now() < until; i++) {
        // Each client's session moves between the daemons turn by turn: history written by one is read by the other.
        await turn(urls[(c + i) % urls.length], `${run}-${c}`, i);
        done++;
      }
    }),
  );
  return done / seconds;
}

const work = await mkdtemp(join(os.tmpdir(), 'kaged-scale-out-'));
const database = postgresDatabase();
const stops = [];
try {
  await writeFile(join(work, 'script.yaml'), script);
  const libsqlProject = join(work, 'libsql.yaml');
  const postgresProject = join(work, 'postgres.yaml');
  await writeFile(libsqlProject, projectYaml(''));
  await writeFile(postgresProject, projectYaml('storage:\n  type: postgres\n  url: ${env:DATABASE_URL}\n  poolSize: 10\n'));
  for (const dir of ['l', 'p1', 'p2a', 'p2b']) await mkdir(join(work, dir));
  const env = { DATABASE_URL: database.url };
  const [l, p1, p2a, p2b] = await Promise.all([
    startDaemon(libsqlProject, join(work, 'l'), {}),
    startDaemon(postgresProject, join(work, 'p1'), env),
    startDaemon(postgresProject, join(work, 'p2a'), env),
    startDaemon(postgresProject, join(work, 'p2b'), env),
  ]);
  stops.push(l.stop, p1.stop, p2a.stop, p2b.stop);

  const sides = {
    libsql: [l.url],
    postgres1: [p1.url],
    postgres2: [p2a.url, p2b.url],
  };
  // Warm-up: JIT, pools, tables.
  for (const urls of Object.values(sides)) for (const url of urls) for (let i = 0; i < 20; i++) await turn(url, 'warmup', i);

  const results = { libsql: [], postgres1: [], postgres2: [] };
  const names = Object.keys(sides);
  for (let r = 0; r < rounds; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]);
    for (const name of order) results[name].push(await drive(sides[name], name));
  }
  const tps = Object.fromEntries(names.map((n) => [n, round3(median(results[n]))]));
  const report = {
    machine: { cpus: os.cpus().length, node: process.version },
    settings: { seconds, clients, rounds },
    turnsPerSecond: tps,
    rounds: results,
    ratioTwoPostgresToLibsql: round3(tps.postgres2 / tps.libsql),
    ratioOnePostgresToLibsql: round3(tps.postgres1 / tps.libsql),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    process.stdout.write(`scale-out: ${clients} clients, ${seconds} s per side, ${rounds} rounds, ${os.cpus().length} CPUs (median turns/s)\n`);
    process.stdout.write(`  (L)  one daemon on LibSQL:          ${tps.libsql.toFixed(1)} turns/s\n`);
    process.stdout.write(`  (P1) one daemon on PostgreSQL:      ${tps.postgres1.toFixed(1)} turns/s\n`);
    process.stdout.write(`  (P2) two daemons on one PostgreSQL: ${tps.postgres2.toFixed(1)} turns/s\n`);
    process.stdout.write(`  P2/L = ${report.ratioTwoPostgresToLibsql.toFixed(2)}   P1/L = ${report.ratioOnePostgresToLibsql.toFixed(2)}\n`);
  }
} catch (error) {
  process.stderr.write(`scale-out: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  await Promise.all(stops.map((stop) => stop()));
  database.drop();
  await rm(work, { recursive: true, force: true });
}
