import type { Harness } from '@kaged/harness';
import { Hono } from 'hono';
import { openAiError } from './openai-error.js';

/** `GET /v1/models` and `GET /v1/models/{model}`: the agents, each as a model. */
export function modelRoutes({ harness }: { harness: Harness }): Hono {
  const app = new Hono();
  // Agents have no creation date; the time the daemon started serving is an honest stand-in.
  const created = Math.floor(Date.now() / 1000);
  const modelOf = (id: string) => ({ id, object: 'model' as const, created, owned_by: 'kaged' });
  app.get('/v1/models', (c) => c.json({ object: 'list', data: harness.listAgents().map((a) => modelOf(a.id)) }));
  app.get('/v1/models/:model', (c) => {
    const id = c.req.param('model');
    if (!harness.hasAgent(id)) return openAiError(c, 404, 'model_not_found', `The model "${id}" does not exist: kaged serves its agents as models`, 'model');
    return c.json(modelOf(id));
  });
  return app;
}
