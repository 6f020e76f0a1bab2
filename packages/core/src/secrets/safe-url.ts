/**
 * A URL fit for messages and logs: credentials and query string removed (some services take
 * keys as `?key=`), and nothing else changed.
 */
export function safeUrl(url: string | URL): string {
  try {
    const parsed = new URL(String(url));
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString();
  } catch {
    return String(url).replace(/[?#].*$/s, '');
  }
}
