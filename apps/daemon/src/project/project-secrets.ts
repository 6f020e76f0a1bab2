import { postgresSecrets } from '../storage/postgres-url.js';
import { mcpSecrets } from '../mcp/project-mcp.js';
import type { Project } from './project.js';

/** Well-known variables holding provider keys, censored even when no agent uses them. */
const keyVariables = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'LANGFUSE_SECRET_KEY', 'LANGFUSE_PUBLIC_KEY', 'KAGED_TOKEN'];

/**
 * Every secret value a project holds: provider API keys (written in the file, substituted from
 * `${env:…}`, or read from the well-known variables), header values, the server token. The
 * logger censors them wherever they appear.
 */
export function projectSecrets(project: Project, env: NodeJS.ProcessEnv): string[] {
  const values: (string | undefined)[] = [project.server.token];
  if (project.storage.type === 'postgres') values.push(...postgresSecrets(project.storage.url));
  for (const provider of Object.values(project.providers)) {
    if ('apiKey' in provider) values.push(provider.apiKey);
    if ('headers' in provider && provider.headers) values.push(...Object.values(provider.headers));
  }
  for (const name of keyVariables) values.push(env[name]);
  values.push(...mcpSecrets(project.mcp));
  return values.filter((value): value is string => typeof value === 'string' && value !== '');
}
