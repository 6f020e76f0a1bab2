// The two servers of bench/mastra-server-peer.mjs, each run alone in a child process
// (`node bench/lib/peer-servers.mjs kaged|mastra <dir>`), so each has its own heap and event
// loop as in production and the clients (in the parent) do not share a thread with either.
// Both serve the same scripted agent with the same memory (LibSQL, lastMessages 40) and the
// same trace store (local traces into that LibSQL file); the child prints one JSON line
// `{ "url": … }` on stdout when listening and stops on SIGTERM.
import { join } from 'node:path';
import { builtModule, resolveFromDaemon } from './modules.mjs';

export const AGENT_ID = 'bench';
export const LAST_MESSAGES = 40; // the daemon default
export const MAX_STEPS = 10; // the daemon default

/** The project both sides run: `script` is the scripted provider's script, `modelUrl` an optional OpenAI-compatible endpoint. */
export function projectYaml({ scriptFile, modelUrl }) {
  const provider = modelUrl
    ? `  demo: { type: openai-compatible, baseURL: "${modelUrl}", apiKey: bench }\n`
    : `  demo: { type: scripted, script: { file: ${scriptFile} } }\n`;
  return `version: 1\nname: bench\nproviders:\n${provider}agents:\n  ${AGENT_ID}:\n    model: demo/bench\n    prompt: "You are a benchmark."\n    tools: []\n    maxSteps: ${MAX_STEPS}\nsessions: { lastMessages: ${LAST_MESSAGES} }\n`;
}

async function serveKaged(dir) {
  const [{ startDaemon }, { createLogger }] = await Promise.all([
    builtModule('apps/daemon/dist/index.js'),
    builtModule('packages/observability/dist/index.js'),
  ]);
  const daemon = await startDaemon({
    project: join(dir, 'kaged.yaml'),
    port: 0,
    dataDir: join(dir, 'kaged-data'),
    logger: createLogger({ level: 'silent' }),
  });
  return { url: daemon.url, close: () => daemon.close() };
}

async function serveMastra(dir, config) {
  const { createModelRegistry } = await builtModule('packages/llm/dist/index.js');
  const [{ Agent }, { Mastra }, { Memory }, { LibSQLStore }, { Observability, MastraStorageExporter }, { MastraServer }, { serve }, { Hono }] =
    await Promise.all([
      import(resolveFromDaemon('@mastra/core', './agent')),
      import(resolveFromDaemon('@mastra/core', './mastra')),
      import(resolveFromDaemon('@mastra/memory')),
      import(resolveFromDaemon('@mastra/libsql')),
      import(resolveFromDaemon('@mastra/observability')),
      import('@mastra/hono'),
      import('@hono/node-server'),
      import(resolveFromDaemon('hono')),
    ]);
  const registry = createModelRegistry({
    providers: {
      demo: config.modelUrl ? { type: 'openai-compatible', baseURL: config.modelUrl, apiKey: 'bench' } : { type: 'scripted', script: config.script },
    },
  });
  const storage = new LibSQLStore({ id: 'mastra-peer', url: `file:${join(dir, 'mastra.db')}` });
  const agent = new Agent({
    id: AGENT_ID,
    name: AGENT_ID,
    instructions: 'You are a benchmark.',
    model: registry.resolve('demo/bench'),
    memory: new Memory({ storage, options: { lastMessages: LAST_MESSAGES } }),
    defaultOptions: { maxSteps: MAX_STEPS },
  });
  const mastra = new Mastra({
    agents: { [AGENT_ID]: agent },
    storage,
    logger: false,
    observability: new Observability({ configs: { default: { serviceName: 'mastra-peer', exporters: [new MastraStorageExporter()] } } }),
  });
  const app = new Hono();
  const server = new MastraServer({ app, mastra });
  await server.init();
  const listening = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = listening.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise((resolve) => listening.close(resolve));
      // Mastra's shutdown closes the store before its observability's last flush: the spans
      // still batched would be lost (CLIENT_CLOSED). Flush them first, as kaged does.
      await mastra.observability.shutdown();
      await mastra.shutdown();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.MASTRA_TELEMETRY_DISABLED ??= '1';
  const [side, dir, configJson] = process.argv.slice(2);
  const config = JSON.parse(configJson ?? '{}');
  const server = side === 'kaged' ? await serveKaged(dir) : await serveMastra(dir, config);
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  process.once('SIGTERM', () => {
    server.close().finally(() => process.exit(0));
  });
}
