type LogFn = (fields: Record<string, unknown>, message: string) => void;

/** The little the harness needs from a logger; pino loggers satisfy it. */
export interface HarnessLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): HarnessLogger;
}

const noop: LogFn = () => {};

/** The default: libraries are silent unless the application gives them a logger. */
export const silentLogger: HarnessLogger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
