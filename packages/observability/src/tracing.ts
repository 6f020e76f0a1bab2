// Tracing for kaged, a separate entry so that the logger alone needs neither Mastra nor
// Langfuse: import from '@kaged/observability/tracing'. Needs @mastra/core and
// @mastra/observability; Langfuse additionally needs @mastra/langfuse and @opentelemetry/api.
export { createTracing } from './tracing/create-tracing.js';
export type { CreateTracingOptions, KagedTracing, LangfuseOffReason, TracingExporterName, TracingStatus } from './tracing/create-tracing.js';
export { KagedLangfuseExporter } from './langfuse/kaged-langfuse-exporter.js';
export type { KagedLangfuseExporterOptions, LangfuseExportStatus } from './langfuse/kaged-langfuse-exporter.js';
export {
  DEFAULT_MAX_AGE_DAYS,
  DEFAULT_MAX_TRACES,
  DEFAULT_TOOL_OUTPUT_MAX_CHARS,
  LANGFUSE_CLOUD_URL,
  displayUrl,
  resolveLangfuse,
} from './tracing/tracing-config.js';
export type { LangfuseConfig, ResolvedLangfuse, TracingConfig } from './tracing/tracing-config.js';
export { tracingSchema } from './tracing/tracing-config.js';
export type { TracingSettings } from './tracing/tracing-config.js';
export { COMPACT_EXCLUDED_SPAN_TYPES, GenerationDetailProcessor, MODEL_CALL_FAILED } from './tracing/generation-detail-processor.js';
export type { GenerationDetailOptions, TraceDetailLevel } from './tracing/generation-detail-processor.js';
export { RedactContentProcessor } from './tracing/redact-content-processor.js';
export type { RedactContentOptions } from './tracing/redact-content-processor.js';
export { ToolOutputTruncationProcessor, truncateText } from './tracing/tool-output-truncation.js';
export type { ToolOutputTruncationOptions } from './tracing/tool-output-truncation.js';
/** @deprecated `SECRET_KEY_NAMES` from `@kaged/core`. */
export { KAGED_SENSITIVE_FIELDS, MASTRA_SENSITIVE_FIELDS } from './tracing/sensitive-fields.js';
export { LocalTraceExporter } from './tracing/local-trace-exporter.js';
export type { LocalTraceExporterOptions } from './tracing/local-trace-exporter.js';
export { createLocalTraces, INTERRUPTED_ERROR_ID, INTERRUPTED_MESSAGE } from './tracing/local-traces.js';
export type { InterruptedQuery, LocalTraceDetail, LocalTraces, PruneSummary, TracePage, TraceQuery, TraceRetention } from './tracing/local-traces.js';
export { interruptedBefore, interruptedGraceMs } from './tracing/interrupted-traces.js';
export type { InterruptedRule } from './tracing/interrupted-traces.js';
export { keepsScoreEvents, readTraceScores, savedScoreOf } from './tracing/trace-scores.js';
export type { TraceScore } from './tracing/trace-scores.js';
export { toTraceDetail, toTraceSummary, usageOf } from './tracing/trace-tree.js';
export type { StoredSpan, TraceCostFn, TraceDetail, TraceSpan, TraceSummary, TraceUsage } from './tracing/trace-tree.js';
export { classifyExportFailure, exportFailureScrubber } from './tracing/export-failure.js';
export type { ExportFailure, ExportFailureKind } from './tracing/export-failure.js';
export { ExportHealth } from './tracing/export-health.js';
export type { ExportHealthOptions, ExportHealthStatus } from './tracing/export-health.js';
