export { createHarness } from './harness.js';
export { toolDescriptionPromptId } from './agent-tree.js';
export { SUBAGENT_TOOL_PREFIX, subagentIdOf, subagentToolName } from './chunk-events.js';
export type { AgentInfo, Harness, HarnessOptions, Turn, TurnRequest } from './harness.js';
export type { AgentDefinition } from './agent-definition.js';
export type { TurnHistoryMessage } from './turn-runner.js';
export { createSessionReader, isSessionCursor, sessionThreadMetadata, SUMMARY_WINDOW, toSessionMessages } from './session-reader.js';
export type { SessionDetail, SessionListQuery, SessionMessage, SessionPage, SessionReader, SessionSummary, SessionToolCall } from './session-reader.js';
export type {
  GuardFlagEvent,
  ModelUsage,
  TextDeltaEvent,
  ToolCallEvent,
  ToolResultEvent,
  TurnEndEvent,
  TurnErrorEvent,
  TurnEvent,
  TurnStartEvent,
  TurnUsage,
} from './turn-events.js';
export type { PromptSnapshotView, PromptSource, PromptVersion } from './ports/prompt-source.js';
export { staticPromptSource } from './ports/static-prompt-source.js';
export type { SelectedTool, ToolSnapshot, ToolSource } from './ports/tool-source.js';
export { staticToolSource } from './ports/static-tool-source.js';
export type { LanguageModelLike, ModelResolver } from './ports/model-resolver.js';
export { noErrorDescriber } from './ports/error-describer.js';
export type { DescribedError, ErrorDescriber } from './ports/error-describer.js';
export { noPricing } from './ports/model-pricing.js';
export type { ModelPricing } from './ports/model-pricing.js';
export { combineTurnObservers, isolateTurnObserver, noTurnObserver } from './ports/turn-observer.js';
export type { FinishedTurn, TurnInfo, TurnObserver } from './ports/turn-observer.js';
export { silentLogger } from './ports/logger.js';
export type { HarnessLogger } from './ports/logger.js';
export { builtinTools } from './tools/builtin-tools.js';
export { currentTimeTool } from './tools/current-time.js';
export { KagedHarnessError } from './errors/kaged-harness-error.js';
export { AgentDefinitionError } from './errors/agent-definition-error.js';
export { UnknownAgentError } from './errors/unknown-agent-error.js';
export { DEFAULT_TURN_TIMEOUT_MS, isStorageFailure, StorageFailureError, TurnTimeoutError, turnTimeoutMsSchema } from './turn-watchdog.js';
export { defaultGuards, resolveGuards } from './guards/guard-config.js';
export type { ExpectedTools, GuardConfig, GuardName, GuardSettings } from './guards/guard-config.js';
export { guardConfigOf, guardsSchema } from './guards/guard-config.js';
export type { WrittenGuards } from './guards/guard-config.js';
export { guardErrorCodes } from './guards/turn-guard.js';
export type { GuardTrip } from './guards/turn-guard.js';
