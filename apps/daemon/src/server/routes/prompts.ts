import type { PromptStatus } from '@kaged/prompt-watcher';
import { Hono } from 'hono';
import type { ProjectState } from '../../project/live-project.js';

export interface PromptsView {
  project: ProjectState;
  prompts: PromptStatus[];
}

/**
 * `GET /v1/prompts`: every prompt the running project uses, with its version, file, load time
 * and whether it is stale (a broken edit, with the reason), plus the project file's own state.
 */
export function promptRoutes({ view }: { view: () => PromptsView }): Hono {
  const app = new Hono();
  app.get('/v1/prompts', (c) => c.json(view()));
  return app;
}
