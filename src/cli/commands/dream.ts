/**
 * `dreamflow dream NETWORK INPUT OUTPUT_PREFIX [LAYER]`: the seed's command line. It runs the recipe
 * pipelines/dream.yaml (pipelines/dream-snapshots.yaml with --snapshots) with settings taken from the network:
 * its preset or `{LAYER: 1}`, a step size in its input units, and the smallest octave its layers can run on.
 * Exit codes: 0 done; 2 usage (bad option, unknown network or layer); 1 the run failed, including weights that
 * are missing or corrupt (E_WEIGHTS_MISSING says which file, where it was looked for and how to get it).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { DreamflowError, DreamflowErrorList } from '../../errors/dreamflow-error.ts';
import { UsageError } from '../../errors/runtime-errors.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { NetworkSpec } from '../../networks/registry.ts';
import { createReporter, type ReporterName } from '../reporters/index.ts';
import { EXIT_INVALID, EXIT_RUN_FAILED } from '../exit-codes.ts';
import { reporterOption, type CommandResult } from '../options.ts';
import { addComputeOptions, computeRunOptions, validateAndRun, type ComputeFlags } from '../execute-run.ts';
import { integerFlag } from '../integer-flag.ts';

const recipe = (name: string) => fileURLToPath(new URL(`../../../pipelines/${name}`, import.meta.url));
export const DREAM_RECIPE = recipe('dream.yaml');
export const DREAM_SNAPSHOTS_RECIPE = recipe('dream-snapshots.yaml');

/** Errors that mean the command line was wrong (exit 2); anything else failed the run (exit 1). */
const USAGE_CODES = new Set<ErrorCode>(['E_USAGE', 'E_UNKNOWN_NETWORK', 'E_UNKNOWN_LAYER', 'E_WEIGHTS_UNSUPPORTED', 'E_MODEL_NOT_FOUND']);

interface DreamFlags extends ComputeFlags {
  snapshots?: boolean;
  weights?: string;
  steps: string;
  octaves: string;
  reporter: ReporterName;
}

export function registerDreamCommand(program: Command, result: CommandResult): void {
  const cmd = program
    .command('dream')
    .description("the seed's command: octave deep dream of INPUT into OUTPUT_PREFIX.png (recipe pipelines/dream.yaml)")
    .argument('<network>', 'vgg16, vgg19, resnet50, inception_v3, inception_v3_bundled, or a model.json path')
    .argument('<input>', 'image to dream on (PNG, JPEG or WebP)')
    .argument('<output_prefix>', 'writes OUTPUT_PREFIX.png')
    .argument('[layer]', "dream on this layer alone (weight 1) instead of the network's preset")
    .option('--snapshots', 'also write OUTPUT_PREFIX_at_iteration_<octave>_<steps>.png after each octave')
    .option('--weights <file>', 'a local Keras .h5 weights file instead of the downloaded one')
    .option('--steps <n>', 'gradient steps per octave', '20')
    .option('--octaves <n>', 'number of octaves', '3')
    .addOption(reporterOption());
  addComputeOptions(cmd).action(async (network: string, input: string, prefix: string, layer: string | undefined, flags: DreamFlags) => {
      result.code = await dreamCommand({ network, input, prefix, layer }, flags);
    });
}

/** A registry name, `{ name, weights }` with --weights, or an absolute model path (the recipe lives elsewhere). */
export function dreamNetworkSpec(network: string, weights: string | undefined, cwd: string): NetworkSpec {
  const isPath = network.includes('/') || network.includes('\\') || path.extname(network) !== '';
  if (isPath) {
    if (weights !== undefined) {
      throw new UsageError(`--weights applies to a named network, not to the model file ${network}`);
    }
    return { path: path.resolve(cwd, network) };
  }
  return weights === undefined ? network : { name: network, weights: path.resolve(cwd, weights) };
}

interface DreamArgs {
  network: string;
  input: string;
  prefix: string;
  layer?: string;
}

/** The recipe's parameters for this command line (loads the network: the run then reuses it). */
export async function dreamParams(args: DreamArgs, flags: Pick<DreamFlags, 'weights' | 'steps' | 'octaves' | 'snapshots'>, cwd: string) {
  const steps = integerFlag('steps', flags.steps, 0, 100000);
  const octaves = integerFlag('octaves', flags.octaves, 1, 12);
  const spec = dreamNetworkSpec(args.network, flags.weights, cwd);
  // Imported when a dream runs: the settings bring TensorFlow.js.
  const { loadNetwork } = await import('../../networks/registry.ts');
  const { dreamObjective, minInputSide, stepSizeFor } = await import('../dream-settings.ts');
  const net = await loadNetwork(spec, { workDir: cwd });
  const layers = dreamObjective(net, args.layer);
  return {
    input: args.input,
    output: `${args.prefix}.png`,
    ...(flags.snapshots ? { snapshots: args.prefix } : {}),
    network: spec,
    layers,
    steps,
    octaves,
    step_size: stepSizeFor(net.preprocessing),
    // 32: the seed's smallest octave; more when the layers need it (a smaller level would fail, so it is dropped)
    min_size: Math.max(32, minInputSide(net, Object.keys(layers))),
  };
}

async function dreamCommand(args: DreamArgs, flags: DreamFlags): Promise<number> {
  const reporter = createReporter(flags.reporter);
  const cwd = process.cwd();
  const pipeline = flags.snapshots ? DREAM_SNAPSHOTS_RECIPE : DREAM_RECIPE;
  let params: Record<string, unknown>;
  try {
    params = await dreamParams(args, flags, cwd);
  } catch (err) {
    reporter.fail(err);
    reporter.close();
    return exitCodeFor(err);
  }
  return validateAndRun(pipeline, { params, workDir: cwd, protect: [args.input], ...computeRunOptions(flags) }, reporter, exitCodeFor);
}

/** A recipe that does not validate with these parameters is a usage problem; a network that fails to load is not. */
function exitCodeFor(err: unknown): number {
  if (err instanceof DreamflowErrorList) return EXIT_INVALID;
  return err instanceof DreamflowError && USAGE_CODES.has(err.code) ? EXIT_INVALID : EXIT_RUN_FAILED;
}
