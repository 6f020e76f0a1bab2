import { useEffect, useState } from 'preact/hooks';

/**
 * The page lives in the URL's fragment, query included: `#/traces?sessionId=…`. The daemon serves
 * only `/` and `/assets/*`, so a path route would 404 on reload; and the fragment never reaches
 * the server or its logs. (wouter's own hash hook moves the query into `location.search`, out of
 * the fragment, which would change every link the console and the docs already use.)
 */
function parts(hash: string): { path: string; search: string } {
  const raw = hash.replace(/^#?\/?/, '');
  const query = raw.indexOf('?');
  return query === -1 ? { path: `/${raw}`, search: '' } : { path: `/${raw.slice(0, query)}`, search: raw.slice(query + 1) };
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    addEventListener('hashchange', update);
    update(); // a change between the first render and this effect
    return () => removeEventListener('hashchange', update);
  }, []);
  return hash;
}

/** Goes to `to` (`/traces?x=1`); `replace` rewrites the current entry instead of adding one. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const hash = `#${to.startsWith('/') ? to : `/${to}`}`;
  if (!options.replace) {
    location.hash = hash;
    return;
  }
  history.replaceState(history.state, '', hash);
  dispatchEvent(new HashChangeEvent('hashchange'));
}

/** `href('/traces', { sessionId })` is `#/traces?sessionId=…`; empty values are left out. */
export function href(path: string, params: Record<string, string | null | undefined> = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
  const search = query.toString();
  return `#${path}${search ? `?${search}` : ''}`;
}

/** wouter's location hook contract: `[path, navigate]`, with `hrefs` and `searchHook` beside it. */
export const useHashLocation = Object.assign((): [string, typeof navigate] => [parts(useHash()).path, navigate], {
  hrefs: (path: string) => `#${path}`,
  searchHook: () => parts(useHash()).search,
});
