import { Hono } from 'hono';

/** Where the console links a trace to in Langfuse. Never the keys. */
export interface LangfuseLink {
  /** The Langfuse the daemon exports to (without credentials); `null` when Langfuse is off. */
  baseUrl: string | null;
  /** `LANGFUSE_PROJECT_ID`, when the operator set it; `null` otherwise. */
  projectId: string | null;
}

/**
 * `GET /v1/config/langfuse`: what a client needs to open a trace in Langfuse, and the link
 * itself as a template (`{traceId}` to fill in). With a project id the link goes straight to the
 * trace page; without one, to Langfuse's `/trace/{traceId}`, which looks the project up and
 * redirects there (Langfuse's TraceRedirectPage).
 */
export function configRoutes({ langfuse }: { langfuse?: (() => LangfuseLink) | undefined }): Hono {
  const app = new Hono();
  app.get('/v1/config/langfuse', (c) => {
    const { baseUrl, projectId } = langfuse?.() ?? { baseUrl: null, projectId: null };
    const traceUrl =
      baseUrl === null ? null : projectId ? `${baseUrl}/project/${encodeURIComponent(projectId)}/traces/{traceId}` : `${baseUrl}/trace/{traceId}`;
    return c.json({ baseUrl, projectId, traceUrl });
  });
  return app;
}

/** The project id as the operator gave it, if it looks like one (Langfuse's are cuid-like). */
export function langfuseProjectId(env: NodeJS.ProcessEnv): string | null {
  const value = env.LANGFUSE_PROJECT_ID?.trim();
  return value && /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : null;
}
