/** dreamflow's programmatic API: what the CLI is built on. */
export { Runner, runPipeline, type RunOptions, type RunResult, type RunnerOptions } from './runtime/runner.ts';
export { loadPipeline, validatePipeline, type LoadOptions } from './runtime/load-pipeline.ts';
export { toMermaid } from './runtime/mermaid.ts';
export { pipelineFiles } from './runtime/pipeline-files.ts';
export { PipelineWatcher, watchPipeline, DEFAULT_DEBOUNCE_MS, type WatchOptions } from './runtime/watch.ts';
export { outputPathProblem } from './runtime/output-paths.ts';
export { buildPipelineSchema } from './runtime/schema.ts';
export { DEFAULT_CACHE_BYTES, type CacheStats } from './runtime/cache.ts';
export { defaultServices, type Services } from './runtime/services.ts';
export type { ParamOverrides } from './runtime/params.ts';
export type {
  NetworkSpec,
  OctaveLoop,
  ParamValue,
  PipelineGraph,
  PipelineNode,
  PipelineSource,
  ValidatedPipeline,
} from './runtime/pipeline.ts';
export type {
  FeaturesValue,
  FileValue,
  ImageValue,
  MaskValue,
  JsonSchema,
  NodeContext,
  NodeDefinition,
  ProgressEvent,
  PyramidValue,
  RunEvent,
  Value,
} from './runtime/types.ts';
export { DreamflowError, DreamflowErrorList, isDreamflowError, type SourceLocation } from './errors/dreamflow-error.ts';
export { CancelledError, NodeError, UsageError } from './errors/runtime-errors.ts';
export { ERROR_CODES, errorCodeInfo, isErrorCode, type ErrorCode, type ErrorCodeInfo, type ErrorKind } from './errors/codes.ts';
export { formatError, type FormatOptions } from './errors/format.ts';
export type { EngineChoice } from './engines/engine.ts';
