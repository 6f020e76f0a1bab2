/**
 * The part of Mastra's stream output that `releaseWedgedRun` touches (`MastraModelOutput`,
 * @mastra/core 1.71.0): its status and its public state (de)serialisation.
 */
export interface RunOutput {
  readonly status: string;
  serializeState(): { status: string } & Record<string, unknown>;
  deserializeState(state: unknown): void;
}

/**
 * Lets the next turn on a session run after this one was stopped while Mastra's stream was
 * wedged.
 *
 * Mastra saves the session in the stream's `onFinish`, inside a `TransformStream` transform. When
 * that save throws (a full disk, a lost PostgreSQL), the stream errors without its `flush`, so
 * the output never emits `finish` or `settled` and its status stays `running`. Mastra's thread
 * runtime then keeps the run as the session's blocking run, and every later turn on the session
 * waits in `waitForCrossAgentThreadRun` for a finish that never comes, until kaged's watchdog
 * ends it. Marking the output `failed` through its public state API is what a failed stream
 * would have done; the runtime then no longer counts the run as blocking.
 *
 * Only a still-`running` output is touched; a finished, suspended or cancelled run is Mastra's.
 */
export function releaseWedgedRun(output: RunOutput | undefined): boolean {
  if (output?.status !== 'running') return false;
  try {
    output.deserializeState({ ...output.serializeState(), status: 'failed' });
    return true;
  } catch {
    // A shape this version does not know: the watchdog still bounds the next turn.
    return false;
  }
}
