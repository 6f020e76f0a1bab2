import { ApiError, getJson, postJson, probeCapabilities, sse } from '../api.js';
import { h, json, replace } from '../dom.js';
import { ms, short, time, tokens, usd, type Usage } from '../format.js';
import type { Page } from '../main.js';

interface Agent {
  id: string;
  description?: string | null;
  model: string;
  tools: string[];
  subagents: string[];
  prompt: { id: string; version: string; path: string | null };
}

interface TraceSummary {
  traceId: string;
  agentId: string | null;
  sessionId: string | null;
  turnId: string | null;
  status: string;
  startedAt: string;
}

// The conversation survives a visit to another page: it lives here, not in the page's DOM.
const state = {
  agentId: '' as string,
  sessionId: undefined as string | undefined,
  transcript: h('ol', { class: 'transcript', 'aria-live': 'polite' }),
  busy: false,
};

export const chatPage: Page = (root, params) => {
  const agentSelect = h('select', { 'aria-label': 'Agent', name: 'agent' });
  const sessionSelect = h('select', { 'aria-label': 'Session', name: 'session' });
  const input = h('textarea', { rows: 1, name: 'message', placeholder: 'Message the agent…', 'aria-label': 'Message', enterkeyhint: 'send' });
  const send = h('button', { type: 'submit', class: 'send' }, 'Send');
  const status = h('p', { class: 'muted small' });
  const form = h('form', { class: 'composer' }, input, send);

  replace(
    root,
    h(
      'div',
      { class: 'chat-bar' },
      h('label', null, h('span', { class: 'sr' }, 'Agent'), agentSelect),
      h('label', null, h('span', { class: 'sr' }, 'Session'), sessionSelect),
    ),
    status,
    state.transcript,
    form,
  );

  const loadSessions = async () => {
    // Sessions are read from the local traces (newest first): one entry per session id.
    const options = [h('option', { value: '' }, 'New session')];
    try {
      const page = await getJson<{ traces: TraceSummary[] }>(`/v1/traces?agentId=${encodeURIComponent(state.agentId)}&perPage=100`);
      const seen = new Map<string, TraceSummary[]>();
      for (const trace of page.traces) if (trace.sessionId) seen.set(trace.sessionId, [...(seen.get(trace.sessionId) ?? []), trace]);
      for (const [id, traces] of seen)
        options.push(h('option', { value: id }, `${short(id, 10)} · ${traces.length} turn${traces.length === 1 ? '' : 's'} · ${time(traces[0]!.startedAt)}`));
    } catch {
      // No local traces: only "new session" and the current one.
    }
    if (state.sessionId && !options.some((o) => o.value === state.sessionId))
      options.push(h('option', { value: state.sessionId }, `${short(state.sessionId, 10)} · this tab`));
    replace(sessionSelect, options);
    sessionSelect.value = state.sessionId ?? '';
  };

  getJson<{ agents: Agent[] }>('/v1/agents').then(
    async ({ agents }) => {
      replace(
        agentSelect,
        agents.map((a) => h('option', { value: a.id }, `${a.id} · ${a.model}`)),
      );
      const wanted = params.get('agent') ?? state.agentId;
      state.agentId = agents.some((a) => a.id === wanted) ? wanted : (agents[0]?.id ?? '');
      agentSelect.value = state.agentId;
      if (params.get('session')) state.sessionId = params.get('session') ?? undefined;
      const agent = agents.find((a) => a.id === state.agentId);
      status.textContent = agent ? describe(agent) : 'This project has no agents.';
      await loadSessions();
    },
    (error: unknown) => (status.textContent = `Could not list agents: ${(error as Error).message}`),
  );

  agentSelect.addEventListener('change', () => {
    state.agentId = agentSelect.value;
    state.sessionId = undefined;
    state.transcript.replaceChildren();
    void loadSessions();
  });
  sessionSelect.addEventListener('change', () => {
    state.sessionId = sessionSelect.value || undefined;
    state.transcript.replaceChildren();
    if (state.sessionId) {
      state.transcript.append(
        h(
          'li',
          { class: 'note' },
          `Continuing session ${short(state.sessionId, 12)}: the agent remembers it. `,
          h('a', { href: `#/traces?sessionId=${encodeURIComponent(state.sessionId)}` }, 'Its earlier turns are in Traces.'),
        ),
      );
    }
  });

  const grow = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  };
  input.addEventListener('input', grow);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && matchMedia('(pointer: fine)').matches) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const message = input.value.trim();
    if (!message || state.busy || !state.agentId) return;
    input.value = '';
    grow();
    state.busy = true;
    send.disabled = true;
    void runTurn(state.agentId, message).finally(() => {
      state.busy = false;
      send.disabled = false;
      void loadSessions();
    });
  });
  send.disabled = state.busy;
  return undefined;
};

function describe(agent: Agent): string {
  const parts = [
    agent.description ?? '',
    agent.tools.length ? `tools: ${agent.tools.join(', ')}` : '',
    agent.subagents.length ? `subagents: ${agent.subagents.join(', ')}` : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

interface TurnStart {
  turnId: string;
  sessionId: string;
  agentId: string;
  prompts: { id: string; version: string }[];
  traceId: string | null;
}

interface TurnEnd {
  turnId: string;
  text: string;
  finishReason: string;
  usage: Usage;
  costUsd: number | null;
  durationMs: number;
  traceId: string | null;
}

async function runTurn(agentId: string, message: string): Promise<void> {
  const transcript = state.transcript;
  transcript.append(h('li', { class: 'msg user' }, h('div', { class: 'bubble' }, message)));
  const body = h('div', { class: 'bubble' });
  const meta = h('div', { class: 'turn-meta' }, h('span', { class: 'muted' }, 'starting…'));
  const item = h('li', { class: 'msg agent', 'aria-busy': 'true' }, body, meta);
  transcript.append(item);
  item.scrollIntoView({ block: 'end' });

  let text: HTMLElement | undefined;
  const calls = new Map<string, HTMLElement>();
  let start: TurnStart | undefined;
  const flags: string[] = [];
  const textNode = () => {
    if (!text) {
      text = h('div', { class: 'text' });
      body.append(text);
    }
    return text;
  };
  try {
    for await (const { event, data } of sse(`/v1/agents/${encodeURIComponent(agentId)}/turns`, {
      body: { message, ...(state.sessionId ? { sessionId: state.sessionId } : {}) },
    })) {
      const d = data as Record<string, unknown>;
      if (event === 'turn.start') {
        start = d as unknown as TurnStart;
        state.sessionId = start.sessionId;
        replace(meta, h('span', { class: 'muted' }, 'streaming…'));
      } else if (event === 'text.delta') {
        textNode().append(String(d.text ?? ''));
        item.scrollIntoView({ block: 'end' });
      } else if (event === 'tool.call') {
        text = undefined; // text after a tool call starts a new paragraph
        const sub = String(d.name).startsWith('agent-');
        const result = h('pre', { class: 'pending' }, 'running…');
        const call = h(
          'details',
          { class: `tool${sub ? ' subagent' : ''}`, 'data-tool': String(d.name) },
          h(
            'summary',
            null,
            h('span', { class: 'badge' }, sub ? 'subagent' : 'tool'),
            ' ',
            h('code', null, String(d.name)),
            h('span', { class: 'tool-state' }, ' …'),
          ),
          h('div', { class: 'kv' }, h('span', { class: 'kv-label' }, 'input'), h('pre', null, json(d.input))),
          h('div', { class: 'kv' }, h('span', { class: 'kv-label' }, 'output'), result),
        );
        calls.set(String(d.id), call);
        body.append(call);
      } else if (event === 'tool.result') {
        const call = calls.get(String(d.id));
        if (call) {
          const pre = call.querySelector('pre.pending');
          if (pre) {
            pre.classList.remove('pending');
            pre.textContent = json(d.output);
          }
          call.classList.toggle('error', d.isError === true);
          const state = call.querySelector('.tool-state');
          if (state) state.textContent = d.isError ? ' failed' : ' ✓';
        }
      } else if (event === 'guard.flag') {
        flags.push(`${d.guard}: ${d.message}`);
        body.append(h('p', { class: `flag ${d.action === 'stop' ? 'error' : ''}` }, `⚑ ${String(d.guard)} (${String(d.action)}): ${String(d.message)}`));
      } else if (event === 'turn.end') {
        const end = d as unknown as TurnEnd;
        if (!body.querySelector('.text')) textNode().append(end.text);
        replace(meta, ...metaOf(start, end));
        void addFeedback(meta, end.turnId);
      } else if (event === 'turn.error') {
        body.append(h('p', { class: 'error' }, `${String(d.code)}: ${String(d.message)}`));
        replace(meta, ...metaOf(start, undefined));
        item.classList.add('failed');
      }
    }
  } catch (error) {
    body.append(
      h('p', { class: 'error' }, error instanceof ApiError ? `${error.code}: ${error.message}` : `The turn was cut off: ${(error as Error).message}`),
    );
    replace(meta);
    item.classList.add('failed');
  } finally {
    item.removeAttribute('aria-busy');
    item.scrollIntoView({ block: 'end' });
  }
}

function metaOf(start: TurnStart | undefined, end: TurnEnd | undefined): (HTMLElement | string)[] {
  const out: (HTMLElement | string)[] = [];
  if (end) out.push(h('span', null, ms(end.durationMs)), h('span', null, tokens(end.usage)), h('span', null, usd(end.costUsd)));
  for (const prompt of start?.prompts ?? [])
    out.push(
      h(
        'a',
        { href: `#/prompts?id=${encodeURIComponent(prompt.id)}`, title: prompt.id },
        `${prompt.id.replace(/^agents\./, '').replace(/\.prompt$/, '')}@${prompt.version.slice(0, 7)}`,
      ),
    );
  const traceId = end?.traceId ?? start?.traceId;
  if (traceId) out.push(h('a', { href: `#/traces/${traceId}`, class: 'trace-link' }, 'trace →'));
  return out;
}

async function addFeedback(meta: HTMLElement, turnId: string): Promise<void> {
  if (!(await probeCapabilities()).feedback) return;
  const group = h('span', { class: 'feedback', role: 'group', 'aria-label': 'Feedback' });
  const vote = (value: 'up' | 'down') => async () => {
    for (const b of group.querySelectorAll('button')) b.disabled = true;
    try {
      await postJson(`/v1/turns/${encodeURIComponent(turnId)}/feedback`, { value });
      group.dataset.sent = value;
      group.replaceChildren(value === 'up' ? '▲ thanks' : '▼ noted');
    } catch (error) {
      for (const b of group.querySelectorAll('button')) b.disabled = false;
      group.title = (error as Error).message;
    }
  };
  group.append(
    h('button', { type: 'button', class: 'ghost icon-button', 'aria-label': 'Good answer', title: 'Good answer', onclick: vote('up') }, '▲'),
    h('button', { type: 'button', class: 'ghost icon-button', 'aria-label': 'Bad answer', title: 'Bad answer', onclick: vote('down') }, '▼'),
  );
  meta.append(group);
}
