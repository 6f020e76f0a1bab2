// What an operator sees in Langfuse: the real exporter posts to a loopback OTLP receiver, and
// the assertions apply Langfuse's own ingestion rules (support/langfuse-view.ts, each rule
// citing its function in langfuse/langfuse OtelIngestionProcessor.ts) to what arrived.
import { createLogger, SecretValues } from '@kaged/observability';
import { type LoopbackModelServer, startOpenAIChatServer } from '@kaged/llm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, startDaemon } from '../src/daemon.js';
import { kagedVersion } from '../src/version.js';
import { type LangfuseObservation, type LangfuseTrace, langfuseTraces, toolDefinitions } from './support/langfuse-view.js';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.js';
import { createProjectFixture, type ProjectFixture } from './support/project-fixture.js';
import { streamTurn } from './support/sse.js';

const OPENAI_KEY = 'sk-test-openai-fidelity-0123456789';

const projectYaml = `version: 1
name: fidelity
providers:
  demo: { type: scripted, script: { file: scripts/demo.yaml } }
  openai: { type: openai, baseURL: "\${env:CHAT_URL}", maxRetries: 0 }
agents:
  assistant:
    model: demo/assistant
    prompt: { file: prompts/assistant.md }
    tools: [current_time]
    subagents: [researcher]
  researcher:
    description: Finds facts.
    model: demo/researcher
    prompt: "You research."
  broken: { model: openai/broken, prompt: "You fail." }
observability:
  langfuse: { publicKey: pk-lf-fidelity, secretKey: sk-lf-fidelity, baseUrl: "\${env:LANGFUSE_URL}" }
`;

const files = {
  'prompts/assistant.md': 'You are the fidelity assistant.\n',
  'scripts/demo.yaml': `models:
  assistant:
    - when: "time"
      steps:
        - text: "Let me look. "
          tools: [{ name: current_time, input: {} }]
          usage: { input: 100, output: 10, cacheRead: 30, cacheWrite: 20 }
          delayMs: 20
        - text: "It is late."
          usage: { input: 120, output: 12, reasoning: 4 }
          delayMs: 20
    - when: "research"
      steps:
        - tools: [{ name: agent-researcher, input: { prompt: "{{message}}" } }]
        - text: "Found: {{toolResult}}"
    - steps:
        - text: "echo {{message}}"
  researcher:
    - steps:
        - text: "the facts"
`,
};

let langfuse: OtlpReceiver;
let chat: LoopbackModelServer;
let project: ProjectFixture;
let daemon: Daemon;

beforeAll(async () => {
  langfuse = await startOtlpReceiver();
  // The provider echoes the key it was sent, as real servers do in 401/500 bodies.
  chat = await startOpenAIChatServer(() => ({ error: { status: 500, message: `The server had an error (key ${OPENAI_KEY})` } }));
  project = await createProjectFixture(projectYaml, files);
  const secrets = new SecretValues();
  daemon = await startDaemon({
    project: project.file,
    port: 0,
    secrets,
    logger: createLogger({ level: 'silent', secrets }),
    env: { CHAT_URL: chat.baseURL, OPENAI_API_KEY: OPENAI_KEY, LANGFUSE_URL: langfuse.url },
  });
});

afterAll(async () => {
  await daemon?.close();
  await chat?.close();
  await langfuse?.close();
  await project?.remove();
});

/** Runs a turn, flushes, and returns its trace as Langfuse would show it. */
async function turn(agentId: string, message: string): Promise<LangfuseTrace> {
  const { events } = await streamTurn(daemon.url, agentId, { message });
  const traceId = events.find((e) => e.event === 'turn.start')?.data.traceId as string;
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  await expect
    .poll(
      async () => {
        await daemon.tracing.flush();
        return (
          langfuseTraces(langfuse.requests)
            .get(traceId)
            ?.observations.some((o) => !o.parentObservationId) ?? false
        );
      },
      { timeout: 15_000, interval: 100 },
    )
    .toBe(true);
  return langfuseTraces(langfuse.requests).get(traceId)!;
}

const generations = (trace: LangfuseTrace) => trace.observations.filter((o) => o.type === 'GENERATION').sort((a, b) => a.startTime.localeCompare(b.startTime));
const parts = (message: unknown) => (message as { parts: { type: string; content?: string; name?: string; arguments?: string }[] }).parts;

describe('a turn as Langfuse shows it (compact detail, the real exporter)', { timeout: 60_000 }, () => {
  it('a tool call: generations with their input and tool calls, per-call time to first token, usage, version, definitions', async () => {
    const trace = await turn('assistant', 'what time is it?');
    const [first, second] = generations(trace);
    expect(generations(trace)).toHaveLength(2);

    // extractOpenTelemetryGenAiInputAndOutput: a GENERATION's input is `gen_ai.input.messages`
    // (before: absent, the input was empty). The system prompt is its first message.
    const input = first!.input as { role: string; parts: { content: string }[] }[];
    expect(input.map((m) => m.role)).toEqual(['system', 'user']);
    expect(input[0]!.parts[0]!.content).toBe('You are the fidelity assistant.\n');
    expect(input[1]!.parts[0]!.content).toBe('what time is it?');
    // The second call's input carries the tool exchange.
    expect((second!.input as { role: string }[]).map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);

    // extractOpenTelemetryGenAiInputAndOutput: output is `gen_ai.output.messages`; its
    // tool_call part is what Langfuse lists as the tool call (before: text only, "").
    const out = parts((first!.output as unknown[])[0]);
    expect(out).toEqual([
      { type: 'text', content: 'Let me look. ' },
      { type: 'tool_call', id: expect.any(String), name: 'current_time', arguments: '{}' },
    ]);
    expect(parts((second!.output as unknown[])[0])).toEqual([{ type: 'text', content: 'It is late.' }]);

    // extractCompletionStartTime: per call, between the call's start and end (before: the
    // first call's time on every call, so negative from the second on).
    for (const call of [first!, second!]) {
      expect(call.completionStartTime).not.toBeNull();
      expect(call.completionStartTime! >= call.startTime).toBe(true);
      expect(call.completionStartTime! <= call.endTime).toBe(true);
    }
    expect(second!.completionStartTime).not.toBe(first!.completionStartTime);

    // extractGenericGenAiUsageDetails: cache read/write leave `input`; reasoning is
    // `reasoning.output_tokens`, subtracted from output (before: `reasoning_tokens` kept as an
    // extra key on top of an output that already counted it).
    expect(first!.usageDetails).toEqual({ input: 50, output: 10, input_cached_tokens: 30, input_cache_creation: 20, output_reasoning_tokens: 0 });
    expect(second!.usageDetails).toEqual({ input: 120, output: 8, input_cached_tokens: 0, input_cache_creation: 0, output_reasoning_tokens: 4 });
    expect(Object.keys(second!.attributes)).not.toContain('gen_ai.usage.reasoning_tokens');

    // createObservationEvent / createTraceEvent: version is `langfuse.version` (kaged's), not
    // the resource's `service.version` (before: Mastra's 1.71.0).
    expect(trace.version).toBe(kagedVersion);
    for (const observation of trace.observations) expect(observation.version).toBe(kagedVersion);

    // extractToolsBackend: `gen_ai.tool.definitions` as definitions with names (before: a list
    // of names, which Langfuse does not take).
    const agent = trace.observations.find((o) => o.type === 'AGENT')!;
    expect(toolDefinitions(agent)?.map((t) => t.name)).toEqual(['current_time', 'agent-researcher']);
    expect(toolDefinitions(second!)?.find((t) => t.name === 'current_time')?.description).toMatch(/current date and time/);

    // createTraceEvent: trace output is the answer (before: {"text":…,"files":[]}); metadata
    // objects are objects (parseMetadataAttribute), per prompt id (before: a JSON string).
    expect(trace.output).toBe('Let me look. It is late.');
    expect(trace.input).toBe('what time is it?');
    expect(trace.metadata.prompts).toEqual({ 'agents.assistant.prompt': expect.any(String), 'agents.researcher.prompt': expect.any(String) });
    expect(trace.metadata).toMatchObject({ agentId: 'assistant', project: 'fidelity', kagedVersion });

    // Compact detail: no chunk/processor/memory/mapping observations, and nothing orphaned.
    expect(trace.observations.map((o) => o.attributes['mastra.span.type'])).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^(model_chunk|processor_run|memory_operation|mapping)$/)]),
    );
    const ids = new Set(trace.observations.map((o) => o.id));
    for (const o of trace.observations) if (o.parentObservationId) expect(ids.has(o.parentObservationId)).toBe(true);
    expect(trace.observations.map((o) => o.type).sort()).toEqual(['AGENT', 'GENERATION', 'GENERATION', 'SPAN', 'SPAN', 'SPAN', 'TOOL']);
  });

  it('a subagent: its generation has its own input and the delegating call shows the tool call', async () => {
    const trace = await turn('assistant', 'research the moon');
    const agents = trace.observations.filter((o) => o.type === 'AGENT');
    expect(agents.map((a) => a.name).sort()).toEqual(['invoke_agent assistant', 'invoke_agent researcher']);
    const subagentCall = generations(trace).find((g) => g.attributes['gen_ai.agent.id'] === 'researcher')!;
    const input = subagentCall.input as { role: string; parts: { content: string }[] }[];
    expect(input[0]).toMatchObject({ role: 'system', parts: [{ content: 'You research.' }] });
    expect(parts((subagentCall.output as unknown[])[0])).toEqual([{ type: 'text', content: 'the facts' }]);
    const delegating = generations(trace).find((g) => g.attributes['gen_ai.agent.id'] === 'assistant')!;
    expect(parts((delegating.output as unknown[])[0])).toContainEqual(expect.objectContaining({ type: 'tool_call', name: 'agent-researcher' }));
    // The subagent run sits under the delegating tool call, inside the same trace.
    const researcher = agents.find((a) => a.name === 'invoke_agent researcher')!;
    const parent = trace.observations.find((o) => o.id === researcher.parentObservationId);
    expect(parent?.type).toBe('TOOL');
    expect(trace.output).toBe('Found: the facts');
  });

  it('a provider answering 500: an ERROR generation with the provider message, no key, no usage', async () => {
    const trace = await turn('broken', 'hello');
    const [call] = generations(trace);
    // createObservationEvent: level ERROR from status code 2; statusMessage from the status
    // (before: UNSET/OK, level DEFAULT, only the AGENT was an error).
    expect(call).toMatchObject({ level: 'ERROR', statusMessage: expect.stringContaining('The server had an error') });
    expect(call!.statusMessage).not.toContain(OPENAI_KEY);
    // extractUsageDetails: no usage keys → no usage; IngestionService.getUsageUnits does not
    // estimate one for an ERROR observation (before: no level ERROR, so tokenised and priced).
    expect(call!.usageDetails).toEqual({});
    expect(call!.output).toBeNull();
    expect((call!.input as { role: string }[]).map((m) => m.role)).toEqual(['system', 'user']);
    const agent = trace.observations.find((o) => o.type === 'AGENT')!;
    expect(agent.level).toBe('ERROR');
    expect(JSON.stringify(langfuse.requests.map((r) => r.body))).not.toContain(OPENAI_KEY);
  });

  it('the local trace store gets the same corrections: call inputs, per-call timing, the failed call marked', async () => {
    const ok = await turn('assistant', 'what time is it, locally?');
    const failed = await turn('broken', 'hello again');
    const local = async (id: string) => {
      await expect.poll(async () => (await daemon.tracing.localTraces!.get(id))?.status, { timeout: 10_000 }).toMatch(/ok|error/);
      return (await daemon.tracing.localTraces!.get(id))!;
    };
    const flat = (
      spans: { type: string; children: unknown[] }[],
    ): {
      type: string;
      input: unknown;
      status: string;
      error: string | null;
      attributes: Record<string, unknown>;
      startedAt: string;
      endedAt: string | null;
      children: never[];
    }[] => spans.flatMap((s) => [s as never, ...flat(s.children as never)]);
    const okSpans = flat((await local(ok.id)).spans as never);
    const calls = okSpans.filter((s) => s.type === 'model_inference');
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(Array.isArray(call.input)).toBe(true);
      const ttft = call.attributes.completionStartTime as string;
      expect(ttft >= call.startedAt && ttft <= call.endedAt!).toBe(true);
    }
    expect(okSpans.map((s) => s.type)).not.toContain('model_chunk');
    const failedSpans = flat((await local(failed.id)).spans as never);
    const failedCall = failedSpans.find((s) => s.type === 'model_inference')!;
    expect(failedCall.status).toBe('error');
    expect(failedSpans.find((s) => s.type === 'agent_run')!.error).not.toContain(OPENAI_KEY);
  });
});

export type { LangfuseObservation };
