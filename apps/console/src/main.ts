import './styles.css';
import { onTokenNeeded, setToken } from './api.js';
import { h, replace } from './dom.js';
import { chatPage } from './pages/chat.js';
import { healthPage } from './pages/health.js';
import { logsPage } from './pages/logs.js';
import { promptsPage } from './pages/prompts.js';
import { traceDetailPage, tracesPage } from './pages/traces.js';

/** A page draws into `root` and returns what stops it (streams, timers) when the route changes. */
export type Page = (root: HTMLElement, params: URLSearchParams, path: string[]) => (() => void) | undefined;

// Icons are SVG paths, not emoji: a Pi or a server often has no emoji font.
const pages: { id: string; label: string; icon: string; page: Page }[] = [
  { id: 'chat', label: 'Chat', icon: 'M4 5h16v11H10l-6 4z', page: chatPage },
  { id: 'traces', label: 'Traces', icon: 'M3 6h9M7 12h11M11 18h10', page: tracesPage },
  { id: 'logs', label: 'Logs', icon: 'M5 6h14M5 10h14M5 14h14M5 18h9', page: logsPage },
  { id: 'prompts', label: 'Prompts', icon: 'M4 20h4L19 9l-4-4L4 16zM13 7l4 4', page: promptsPage },
  { id: 'health', label: 'Health', icon: 'M2 12h5l2-5 4 10 2-5h7', page: healthPage },
];

function icon(path: string): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  const shape = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  shape.setAttribute('d', path);
  svg.append(shape);
  return svg;
}

const main = h('main', { id: 'page' });
const nav = h(
  'nav',
  { class: 'tabs', 'aria-label': 'Pages' },
  pages.map((p) => h('a', { href: `#/${p.id}`, 'data-page': p.id }, icon(p.icon), h('span', null, p.label))),
);
document.body.append(h('header', { class: 'top' }, h('a', { class: 'brand', href: '#/chat' }, 'kaged'), h('span', { class: 'where', id: 'where' })), nav, main);

let stop: (() => void) | undefined;

function route(): void {
  stop?.();
  stop = undefined;
  const hash = location.hash.replace(/^#\/?/, '');
  const [pathPart = '', query = ''] = hash.split('?');
  const path = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const id = path[0] ?? 'chat';
  const params = new URLSearchParams(query);
  for (const link of nav.querySelectorAll('a')) link.toggleAttribute('aria-current', link.dataset.page === id);
  const entry = pages.find((p) => p.id === id) ?? pages[0]!;
  document.getElementById('where')!.textContent = entry.label;
  document.title = `${entry.label} · kaged`;
  replace(main);
  main.className = `page-${entry.id}`;
  const page = entry.id === 'traces' && path[1] ? traceDetailPage : entry.page;
  stop = page(main, params, path) ?? undefined;
}

// The token dialog: one field, never put into the URL; cancelled = give up this request.
onTokenNeeded(
  (wrong) =>
    new Promise((resolve) => {
      document.getElementById('token-dialog')?.remove();
      const input = h('input', {
        type: 'password',
        name: 'token',
        autocomplete: 'current-password',
        required: true,
        placeholder: 'server.token',
        'aria-label': 'Token',
      });
      const dialog = h(
        'dialog',
        { id: 'token-dialog' },
        h(
          'form',
          { method: 'dialog' },
          h('h2', null, 'This daemon needs its token'),
          h('p', null, wrong ? 'That token was refused. ' : '', 'Enter server.token (or KAGED_TOKEN). It stays in this tab only (sessionStorage).'),
          input,
          h(
            'div',
            { class: 'row end' },
            h('button', { value: 'cancel', type: 'submit', formnovalidate: true, class: 'ghost' }, 'Cancel'),
            h('button', { value: 'ok', type: 'submit' }, 'Use token'),
          ),
        ),
      );
      dialog.addEventListener('close', () => {
        const value = dialog.returnValue === 'ok' ? input.value.trim() : '';
        dialog.remove();
        if (!value) setToken(null);
        resolve(value || null);
      });
      document.body.append(dialog);
      dialog.showModal();
      input.focus();
    }),
);

window.addEventListener('hashchange', route);
route();
