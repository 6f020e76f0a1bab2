import { QueryClientProvider } from '@tanstack/preact-query';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Route, Router, Switch, useLocation } from 'wouter-preact';
import { onTokenNeeded, setToken } from './api.js';
import { useHashLocation } from './hash-location.js';
import { ChatPage } from './pages/chat.js';
import { HealthPage } from './pages/health.js';
import { LogsPage } from './pages/logs.js';
import { PromptsPage } from './pages/prompts.js';
import { TraceDetailPage } from './pages/trace-detail.js';
import { TracesPage } from './pages/traces.js';
import { queryClient } from './query.js';

// Icons are SVG paths, not emoji: a Pi or a server often has no emoji font.
const PAGES = [
  { id: 'chat', label: 'Chat', icon: 'M4 5h16v11H10l-6 4z' },
  { id: 'traces', label: 'Traces', icon: 'M3 6h9M7 12h11M11 18h10' },
  { id: 'logs', label: 'Logs', icon: 'M5 6h14M5 10h14M5 14h14M5 18h9' },
  { id: 'prompts', label: 'Prompts', icon: 'M4 20h4L19 9l-4-4L4 16zM13 7l4 4' },
  { id: 'health', label: 'Health', icon: 'M2 12h5l2-5 4 10 2-5h7' },
] as const;

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <Router hook={useHashLocation}>
        <Shell />
      </Router>
      <TokenPrompt />
    </QueryClientProvider>
  );
}

function Shell() {
  const [path] = useLocation();
  const id = path.split('/')[1] || 'chat';
  const page = PAGES.find((p) => p.id === id) ?? PAGES[0];
  useEffect(() => {
    document.title = `${page.label} · kaged`;
  }, [page]);
  return (
    <>
      <header class="top">
        <a class="brand" href="#/chat">
          kaged
        </a>
        <span class="where" id="where">
          {page.label}
        </span>
      </header>
      <nav class="tabs" aria-label="Pages">
        {PAGES.map((p) => (
          <a key={p.id} href={`#/${p.id}`} data-page={p.id} aria-current={p.id === page.id ? 'page' : undefined}>
            <svg viewBox="0 0 24 24" class="icon" aria-hidden="true">
              <path d={p.icon} />
            </svg>
            <span>{p.label}</span>
          </a>
        ))}
      </nav>
      <main id="page" class={`page-${page.id}`}>
        <Switch>
          <Route path="/traces/:traceId">{(params) => <TraceDetailPage traceId={decodeURIComponent(params.traceId)} />}</Route>
          <Route path="/traces" component={TracesPage} />
          <Route path="/logs" component={LogsPage} />
          <Route path="/prompts" component={PromptsPage} />
          <Route path="/health" component={HealthPage} />
          <Route component={ChatPage} />
        </Switch>
      </main>
    </>
  );
}

interface Question {
  wrong: boolean;
  answer: (token: string | null) => void;
}

/** The token dialog: one field, never put into the URL; cancelled = give up this request. */
function TokenPrompt() {
  const [question, setQuestion] = useState<Question | null>(null);
  useEffect(() => onTokenNeeded((wrong) => new Promise((answer) => setQuestion({ wrong, answer }))), []);
  if (!question) return null;
  return (
    <TokenDialog
      wrong={question.wrong}
      onDone={(value) => {
        setQuestion(null);
        if (!value) setToken(null);
        question.answer(value || null);
      }}
    />
  );
}

function TokenDialog({ wrong, onDone }: { wrong: boolean; onDone: (value: string) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
    input.current?.focus();
  }, []);
  return (
    <dialog id="token-dialog" ref={dialog} onClose={() => onDone(dialog.current?.returnValue === 'ok' ? (input.current?.value.trim() ?? '') : '')}>
      <form method="dialog">
        <h2>This daemon needs its token</h2>
        <p>{wrong ? 'That token was refused. ' : ''}Enter server.token (or KAGED_TOKEN). It stays in this tab only (sessionStorage).</p>
        <input ref={input} type="password" name="token" autocomplete="current-password" required placeholder="server.token" aria-label="Token" />
        <div class="row end">
          <button value="cancel" type="submit" formNoValidate class="ghost">
            Cancel
          </button>
          <button value="ok" type="submit">
            Use token
          </button>
        </div>
      </form>
    </dialog>
  );
}
