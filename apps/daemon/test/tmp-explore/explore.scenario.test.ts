import { writeFileSync } from 'node:fs';
import { createLogger } from '@kaged/observability';
import { it, expect } from 'vitest';
import { startDaemon } from '../../src/daemon.js';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import { createProjectFixture, scenarioFiles, scenarioProject } from '../support/project-fixture.js';
import { streamTurn } from '../support/sse.js';

it('explore', async () => {
  const lf = await startOtlpReceiver();
  const yaml = `${scenarioProject}observability:\n  langfuse: { publicKey: pk, secretKey: sk, baseUrl: "${lf.url}" }\n  flushEachTurn: true\n`;
  const fx = await createProjectFixture(yaml, scenarioFiles);
  const daemon = await startDaemon({ project: fx.file, port: 0, logger: createLogger({ level: 'silent' }), env: {} });
  const msg = process.env.MSG ?? 'what time is it?';
  const { events } = await streamTurn(daemon.url, 'assistant', { message: msg });
  const traceId = events.find((e) => e.event === 'turn.start')!.data.traceId;
  await expect.poll(() => lf.spans().some((s) => s.traceId === traceId && !s.parentSpanId), { timeout: 15000 }).toBe(true);
  await new Promise((r) => setTimeout(r, 1500));
  writeFileSync('/tmp/explore-otlp.json', JSON.stringify(lf.requests.map((r) => JSON.parse(r.body)), null, 1));
  const local = await daemon.tracing.localTraces!.get(traceId);
  writeFileSync('/tmp/explore-local.json', JSON.stringify(local, null, 1));
  writeFileSync('/tmp/explore-events.json', JSON.stringify(events, null, 1));
  await daemon.close(); await lf.close(); await fx.remove();
}, 60000);
