import type { Logger } from '@kaged/observability';
import { PinoMastraLogger } from '@kaged/observability/mastra';

/**
 * Mastra's MCP client logger, every line at debug whatever Mastra calls it: its connection errors
 * and failed calls (with their arguments) are what the supervisor reports itself, once, as
 * `mcp.server_down` and as tool errors. Without it they go to the console, stacks and all.
 */
export class McpClientLogger extends PinoMastraLogger {
  constructor(logger: Logger) {
    super(logger);
  }

  override info(message: string, ...args: unknown[]): void {
    this.debug(message, ...args);
  }

  override warn(message: string, ...args: unknown[]): void {
    this.debug(message, ...args);
  }

  override error(message: string, ...args: unknown[]): void {
    this.debug(message, ...args);
  }
}
