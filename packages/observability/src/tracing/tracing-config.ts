/** Tracing settings: the `observability:` section of a kaged project, every field optional. */
export interface TracingConfig {
  /** Share of turns traced, 0 to 1 (Mastra's ratio sampling). Default 1. */
  sampleRate?: number | undefined;
  /** Drop span content before export: `inputs` (messages, prompts, tool arguments), `outputs`. */
  redact?: { inputs?: boolean | undefined; outputs?: boolean | undefined } | undefined;
  /** Langfuse; each key falls back to `LANGFUSE_PUBLIC_KEY`, `LANGFUSE_SECRET_KEY`, `LANGFUSE_BASE_URL`. */
  langfuse?: LangfuseConfig | undefined;
  /** Flush spans when a traced turn ends (in the background, bounded). Default false. */
  flushEachTurn?: boolean | undefined;
  /** Langfuse's `environment` (and the local traces' `environment`). */
  environment?: string | undefined;
  /** Langfuse's `release`. */
  release?: string | undefined;
  /** Traces kept in the application's Mastra store. */
  localTraces?: { enabled?: boolean | undefined; maxTraces?: number | undefined; maxAgeDays?: number | undefined } | undefined;
}

export interface LangfuseConfig {
  publicKey?: string | undefined;
  secretKey?: string | undefined;
  baseUrl?: string | undefined;
  /** One request per span instead of batches (about every 5 s). Default false. */
  realtime?: boolean | undefined;
}

export const LANGFUSE_CLOUD_URL = 'https://cloud.langfuse.com';
export const DEFAULT_MAX_TRACES = 1000;
export const DEFAULT_MAX_AGE_DAYS = 7;

export type ResolvedLangfuse =
  | { state: 'on'; publicKey: string; secretKey: string; baseUrl: string; realtime: boolean }
  /** One key given, the other missing: Langfuse stays off and the reason is logged. */
  | { state: 'incomplete'; missing: ('publicKey' | 'secretKey')[] }
  | { state: 'off' };

/** Langfuse settings from config, else the environment (config wins); `on` needs both keys. */
export function resolveLangfuse(config: LangfuseConfig | undefined, env: Record<string, string | undefined>): ResolvedLangfuse {
  const publicKey = config?.publicKey || env.LANGFUSE_PUBLIC_KEY || undefined;
  const secretKey = config?.secretKey || env.LANGFUSE_SECRET_KEY || undefined;
  if (!publicKey && !secretKey) return { state: 'off' };
  if (!publicKey || !secretKey) return { state: 'incomplete', missing: publicKey ? ['secretKey'] : ['publicKey'] };
  const baseUrl = (config?.baseUrl || env.LANGFUSE_BASE_URL || LANGFUSE_CLOUD_URL).replace(/\/+$/, '');
  return { state: 'on', publicKey, secretKey, baseUrl, realtime: config?.realtime ?? false };
}

/** A URL without credentials, query or fragment, for logs and status lines. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
