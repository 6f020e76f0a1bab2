import type { Harness } from '@kaged/harness';
import { Hono } from 'hono';

/** `GET /v1/agents`: each agent with its model, tools, subagents and current prompt version. */
export function agentRoutes({ harness }: { harness: Harness }): Hono {
  const app = new Hono();
  app.get('/v1/agents', (c) => c.json({ agents: harness.listAgents() }));
  return app;
}
