import { Hono } from 'hono';
import { type ChatCompletionRoutesOptions, chatCompletionRoutes } from './chat-completions.js';
import { modelRoutes } from './models.js';

export { openAiErrorShape } from './openai-error.js';

/**
 * The OpenAI-compatible API (docs/openai-compatible.md): each agent is a model, and a chat
 * completion is a turn of it. Mount `openAiErrorShape()` before the bearer check so that its
 * errors reach clients in OpenAI's shape too.
 */
export function openAiRoutes(options: ChatCompletionRoutesOptions): Hono {
  const app = new Hono();
  app.route('/', modelRoutes({ harness: options.harness }));
  app.route('/', chatCompletionRoutes(options));
  return app;
}
