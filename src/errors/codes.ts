/**
 * Every error code dreamflow raises: one closed set. `ErrorCode` (the type of `DreamflowError.code` and of the
 * `code` of `error` events) derives from this catalogue, and the README's table of codes is generated from it
 * (npm run docs). Adding a code is one line here.
 *
 * - `invalid`: the input is wrong (pipeline, recipe, network file, command line) and the CLI exits 2 when a
 *   command stops on it; `failed`: the run itself failed, exit 1.
 * - `at: 'weights'`: the error is about the weights file, so it is pointed at `network.weights` in the pipeline.
 */
export type ErrorKind = 'invalid' | 'failed';

export interface ErrorCodeInfo {
  kind: ErrorKind;
  /** What the code means, one line (the README table). */
  means: string;
  /** The part of `network:` an error about the network points at, when not its name or path. */
  at?: 'weights';
}

const invalid = (means: string, extra: Partial<ErrorCodeInfo> = {}): ErrorCodeInfo => ({ kind: 'invalid', means, ...extra });
const failed = (means: string, extra: Partial<ErrorCodeInfo> = {}): ErrorCodeInfo => ({ kind: 'failed', means, ...extra });

export const ERROR_CODES = {
  // Reading a pipeline file
  E_PIPELINE_READ: invalid('the pipeline file cannot be read'),
  E_YAML_SYNTAX: invalid('the YAML does not parse'),
  E_DUPLICATE_KEY: invalid('a YAML map has the same key twice'),
  // Schema checks
  E_SCHEMA: invalid('the document breaks the pipeline schema in another way'),
  E_VERSION: invalid('unsupported pipeline `version`'),
  E_UNKNOWN_KEY: invalid('a key the schema does not know (with a "did you mean")'),
  E_MISSING_KEY: invalid('a required key is missing'),
  E_MISSING_TYPE: invalid('a node has no `type`'),
  E_UNKNOWN_NODE_TYPE: invalid('a node `type` no node definition has'),
  E_TYPE: invalid('a value has the wrong type'),
  E_RANGE: invalid('a number is out of its range'),
  E_ENUM: invalid('a value is not one of the allowed choices'),
  E_PATTERN: invalid('a string does not have the required form'),
  E_BAD_NAME: invalid('a node id or parameter name is not allowed'),
  // Parameters
  E_UNKNOWN_PARAM: invalid('a `${name}` reference or `--set` names no declared parameter'),
  E_BAD_PARAM_REF: invalid('a `${…}` is not a well-formed parameter reference'),
  E_PARAM_UNSET: invalid('a parameter is used but has no value'),
  E_PARAM_NOT_SCALAR: invalid('a list or map parameter is used inside a string'),
  E_RESERVED_PARAM: invalid('a parameter name the runtime sets itself (such as `octave`)'),
  E_BAD_SET: invalid('a `--set KEY=VALUE` is malformed'),
  E_PARAMS_FILE: invalid('the `--params` file cannot be read or is not a map'),
  // Recipes (extends / include)
  E_RECIPE_READ: invalid('a base recipe or included fragment cannot be read'),
  E_RECIPE_NOT_MAP: invalid('a base recipe or fragment is not a mapping with `nodes:`'),
  E_RECIPE_CYCLE: invalid('recipes extend or include each other in a cycle'),
  E_BAD_EXTENDS: invalid('`extends` does not name one recipe file'),
  E_BAD_INCLUDE: invalid('`include` is not a list of fragment files'),
  E_FRAGMENT_KEY: invalid('an included fragment defines more than nodes and params'),
  E_OVERRIDE_UNKNOWN_NODE: invalid('a recipe overrides or removes a node no base defines'),
  // Limits on recipes (a recipe is untrusted input)
  E_RECIPE_NOT_YAML: invalid('`extends`/`include` names a file that is not a .yaml/.yml regular file'),
  E_RECIPE_LIMIT: invalid('extends/include go deeper, or name more files, than the limits allow'),
  E_TOO_MANY_KEYS: invalid('a recipe file has more keys than the limit'),
  E_TOO_DEEP: invalid('maps and lists nest deeper than the limit'),
  E_YAML_ALIASES: invalid('YAML aliases expand too far (an alias bomb)'),
  E_YAML_KEY: invalid('a map key is a list, a map or an alias'),
  E_NON_FINITE: invalid('a number is .inf or .nan'),
  // The graph
  E_UNKNOWN_NODE: invalid('an input names no node'),
  E_CYCLE: invalid('the nodes form a cycle'),
  E_OCTAVE_OUTSIDE_LOOP: invalid('`${octave}` is used by a node that does not run per octave'),
  E_BACK_EDGE_NO_LOOP: invalid('a `previous` back-edge names a node outside any octave loop'),
  E_BACK_EDGE_OUTSIDE_LOOP: invalid('a node with a back-edge lies outside its octave loop'),
  E_AMBIGUOUS_LOOP: invalid('an octave loop could belong to more than one octave-split'),
  E_NO_OCTAVE_LOOP: invalid('an octave-split has no back-edge closing its loop'),
  E_NESTED_LOOP: invalid('an octave loop lies inside another'),
  E_OVERLAPPING_LOOPS: invalid('a node belongs to two octave loops'),
  E_EACH_OCTAVE_OUTSIDE_LOOP: invalid('`each_octave: true` on a node outside an octave loop'),
  E_NO_NETWORK: invalid('a node needs the network but the pipeline has no `network:`'),
  E_WRITE_OUTSIDE: invalid('an output path is outside the output directory (see `--allow-outside`)'),
  E_INVALID: invalid('the pipeline is invalid (a list of errors without details)'),
  // Networks and model files
  E_NETWORK: invalid('the network cannot be loaded (an unexpected error)'),
  E_UNKNOWN_NETWORK: invalid('`network:` names no known network'),
  E_MODEL_NOT_FOUND: invalid('the model file does not exist (or the bundled model is not installed)'),
  E_MODEL_INVALID: invalid('the model file is malformed'),
  E_UNSUPPORTED_MODEL: invalid('the model is valid but of a kind dreamflow cannot run'),
  E_UNSUPPORTED_LAYER: invalid('the model has a layer dreamflow cannot run'),
  E_NETWORK_INVALID: invalid('the network description is inconsistent (shapes, layer order)'),
  E_MODEL_SHAPE: invalid("a model.json weight's shape contradicts its layer's config"),
  E_UNKNOWN_LAYER: invalid('a layer name the network does not have'),
  E_TILE_TOO_SMALL: invalid("an `ascend` tile is smaller than the network's smallest usable input plus its margins"),
  E_INPUT_TOO_SMALL: invalid('the image is too small for the chosen layer'),
  E_GUIDE_TOO_LARGE: invalid("a `guide` image is larger than ascend's default tile per side (give its `load` a `max_size`)"),
  // Weights
  E_WEIGHTS_MISSING: invalid('the weights file, or weights for some of its layers, is missing', { at: 'weights' }),
  E_WEIGHTS_CORRUPT: invalid('the weights file is corrupt or not the expected format', { at: 'weights' }),
  E_WEIGHTS_UNSUPPORTED: invalid('weights given for a network that takes none, or of an unsupported type', { at: 'weights' }),
  E_WEIGHTS_DOWNLOAD: failed('downloading weights failed', { at: 'weights' }),
  E_WEIGHT_COUNT: invalid("a layer's weights in the file do not match the architecture's", { at: 'weights' }),
  E_WEIGHT_SHAPE: invalid('a weight in the file has the wrong shape', { at: 'weights' }),
  E_WEIGHTS_TOO_LARGE: invalid('the weights file declares a dataset larger than any supported network needs', { at: 'weights' }),
  // Engines and backends
  E_BACKEND_UNKNOWN: invalid('a backend name (`--backend`) names no backend'),
  E_BACKEND_UNAVAILABLE: failed('the requested backend is not installed or does not start'),
  E_ENGINE_UNKNOWN: invalid('an engine choice (`engine:`, `--engine`) names no gradient engine'),
  E_ENGINE_DEVICE: invalid('`--device` names no device'),
  E_ENGINE_DISPOSED: failed('an engine was used after it was disposed (a bug)'),
  E_ONNX_CUDA_UNAVAILABLE: failed("onnxruntime's CUDA provider is not available here"),
  E_ONNX_UNSUPPORTED_OP: failed('the onnx engine cannot express a layer of this network'),
  E_BAD_INPUT: failed('an engine was given an image of the wrong shape'),
  E_BAD_OBJECTIVE: failed('the objective (layers and weights) is empty or not finite'),
  // Nodes, when they run
  E_IMAGE_READ: failed('an input image cannot be read or decoded'),
  E_MASK_READ: failed('a mask file cannot be read, or is of a kind dreamflow does not read (the kind is named)'),
  E_IMAGE_TOO_LARGE: failed('an input image has more pixels than allowed'),
  E_IMAGE_WRITE: failed('an output image cannot be written'),
  E_OUTPUT_FORMAT: invalid('an output file extension names no supported image format'),
  E_OVERWRITE_INPUT: invalid('a save would overwrite a file the pipeline reads (an image, a recipe, a model, a weights file)'),
  E_DUPLICATE_OUTPUT: invalid('two nodes would write the same file'),
  E_BAD_OUTPUT_NAME: invalid('an output file name holds control characters'),
  E_NOT_REGULAR_FILE: invalid('a file a node reads is a device, FIFO, socket or directory'),
  E_INPUT_KIND: failed('a node was given a value of the wrong kind'),
  E_INPUT_SPACE: failed('a node was given an image in the wrong colour space'),
  E_BLEND_INPUT: failed('blend-detail was given images that do not fit together'),
  E_CHANNEL_RANGE: failed('an objective `channel` is outside its layer'),
  E_PARAM_RANGE: failed("a node's parameters do not fit together (an empty `clip` range)"),
  E_NODE_OUTPUT: failed('a node returned the wrong kind of value (a bug in the node)'),
  E_NODE_FAILED: failed('a node failed with an unexpected error'),
  // The runtime and the command line
  E_CANCELLED: failed('the run was cancelled'),
  E_RUNNER_DISPOSED: failed('a Runner was used after it was disposed'),
  E_INTERNAL: failed('an unexpected error (a bug)'),
  E_USAGE: invalid('the command line is wrong'),
  // Frames and video
  E_FRAME_SOURCES: invalid('a pipeline has more than one frame source (one frame loop)'),
  E_FRAME_BACK_EDGE_OUTSIDE_LOOP: invalid('a node takes a value from the previous frame outside a frame loop'),
  E_EACH_FRAME_OUTSIDE_LOOP: invalid('`each_frame: true` on a node outside the frame loop'),
  E_GATHER_OUTSIDE_LOOP: invalid('a node that gathers every frame (`encode`) reads from a node that does not run per frame'),
  E_LOOP_STRADDLES_FRAMES: invalid('an octave loop lies partly inside and partly outside the frame loop'),
  E_FRAME_OUTSIDE_LOOP: invalid('`${frame}` is used by a node that does not run per frame'),
  E_NO_FRAMES: failed('the frame source lists no frames'),
  E_FRAME_RANGE: invalid('a frame range or stride is empty or malformed'),
  E_FRAME_SOURCE: invalid('a frame source (directory, glob or video) cannot be listed'),
  E_FRAME_SIZE: invalid('the frames of a source do not all have the same size'),
  E_VIDEO_READ: invalid('a video file cannot be read or decoded'),
  E_VIDEO_NO_FRAMES: invalid('a video file has no video frames'),
  E_FFMPEG_MISSING: failed('the ffmpeg binary is missing or cannot be run'),
  E_VIDEO_WRITE: failed('an output video cannot be encoded or written'),
  E_FRAME_INPUT: failed("the previous frame's value does not have this frame's size"),
  E_GATHER_INPUT: failed('a gathering node was given values that are not per-frame files'),
  E_CACHE_LOST: failed('a disk-cache entry vanished between being found and being read'),
  // The live page (watch --serve)
  E_SERVE: failed('the live page cannot listen on its port'),
  E_PARAM_LOCKED: invalid('the page edits a parameter set on the command line, which the recipe cannot change'),
  E_PARAM_VALUE: invalid("the page sent a parameter value outside the parameter's schema"),
  E_PARAM_WRITE: invalid('the recipe has no `params:` map the page can write into'),
  E_NOT_READY: failed('the page wrote a parameter before the recipe was first loaded'),
  E_YAML: invalid('the recipe does not parse at the moment the page writes a parameter'),
  // Batches and the queue (dreamflow batch / worker)
  E_BATCH_INPUT: invalid('a batch input does not exist or is not a file'),
  E_BATCH_VIDEO: invalid('`--chunk` was given a recipe without a frame loop, or one whose frames cannot be split'),
  E_QUEUE_URL: invalid('`--queue` is not a redis://HOST:PORT URL'),
  E_QUEUE_UNREACHABLE: failed('the Redis server `--queue` names cannot be reached'),
  E_SHARED_DIR: failed('a job passes its files through a shared directory this worker has no `--shared-dir` for, or cannot read'),
  E_JOB_FAILED: failed('a queued job failed without a dreamflow error (it stalled too often, or its worker crashed)'),
} as const satisfies Record<string, ErrorCodeInfo>;

/** Every error code: the closed set `DreamflowError.code` and `error` events draw from. */
export type ErrorCode = keyof typeof ERROR_CODES;

export function errorCodeInfo(code: ErrorCode): ErrorCodeInfo {
  return ERROR_CODES[code];
}

/** Whether `code` is one of dreamflow's error codes (for codes read back from events or other processes). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/** The code of anything thrown: its own when it carries one of ours, else E_INTERNAL. */
export function errorCodeOf(err: unknown): ErrorCode {
  const code = (err as { code?: unknown } | null)?.code;
  return isErrorCode(code) ? code : 'E_INTERNAL';
}
