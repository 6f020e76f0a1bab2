import { writeFileSync } from 'node:fs';
import { createLogger } from '@kaged/observability';
import { startOpenAIChatServer } from '@kaged/llm/testing';
import { it, expect } from 'vitest';
import { startDaemon } from '../../src/daemon.js';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import { createProjectFixture } from '../support/project-fixture.js';
import { streamTurn } from '../support/sse.js';

it('explore fail', async () => {
  const lf = await startOtlpReceiver();
  const chat = await startOpenAIChatServer((r) => r.model === 'broken' ? { error: { status: 500, message: 'The server had an error, key sk-test-openai-0123456789abcdef' } } : (r.toolResults.length ? { text: 'It is late.', usage: { input: 120, output: 12, reasoning: 4, cacheRead: 80 } } : { text: 'Let me look. ', toolCalls: [{ name: 'current_time', input: {} }], usage: { input: 100, output: 10, cacheWrite: 80 } }));
  const yaml = `version: 1\nname: p\nproviders:\n  local: { type: openai-compatible, baseURL: "\${env:CHAT_URL}", maxRetries: 0 }\nagents:\n  broken: { model: local/broken, prompt: "p" }\n  ok: { model: local/qwen3, prompt: "You are ok.", tools: [current_time] }\nobservability:\n  langfuse: { publicKey: pk, secretKey: sk, baseUrl: "${lf.url}" }\n  flushEachTurn: true\n`;
  const fx = await createProjectFixture(yaml, {});
  const daemon = await startDaemon({ project: fx.file, port: 0, logger: createLogger({ level: 'silent' }), env: { CHAT_URL: chat.baseURL, OPENAI_API_KEY: 'sk-test-openai-0123456789abcdef' } });
  const { events } = await streamTurn(daemon.url, process.env.AGENT ?? 'broken', { message: 'what time is it?' });
  const traceId = events.find((e) => e.event === 'turn.start')!.data.traceId;
  await expect.poll(() => lf.spans().some((s) => s.traceId === traceId && !s.parentSpanId), { timeout: 15000 }).toBe(true);
  await new Promise((r) => setTimeout(r, 1500));
  writeFileSync('/tmp/explore-otlp.json', JSON.stringify(lf.requests.map((r) => JSON.parse(r.body)), null, 1));
  writeFileSync('/tmp/explore-local.json', JSON.stringify(await daemon.tracing.localTraces!.get(traceId), null, 1));
  writeFileSync('/tmp/explore-events.json', JSON.stringify(events, null, 1));
  await daemon.close(); await lf.close(); await chat.close(); await fx.remove();
}, 60000);
