import type { Command } from 'commander';
import type { NetworkSpec } from '../../networks/registry.ts';
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import { UsageError } from '../../errors/runtime-errors.ts';
import { prettyReporter } from '../reporters/pretty.ts';
import { EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED } from '../exit-codes.ts';
import type { CommandResult } from '../options.ts';
import { printable, printableJson } from '../../errors/sanitize.ts';

export const DEFAULT_NETWORK = 'inception_v3_bundled';

interface LayersFlags {
  size: string;
  all?: boolean;
  json?: boolean;
  weights?: string;
}

export function registerLayersCommand(program: Command, result: CommandResult): void {
  program
    .command('layers')
    .description('list the layers a network offers for dreaming, with output shapes')
    .argument('[network]', 'network name, or a TensorFlow.js model.json path', DEFAULT_NETWORK)
    .option('--size <n|HxW>', 'input size the shapes are computed for', '299')
    .option('--all', 'list every layer, not only the ones worth dreaming on')
    .option('--json', 'print JSON lines instead of a table')
    .option('--weights <file>', 'a local Keras .h5 weights file (without one, a Keras network needs no weights here)')
    .action(async (network: string, flags: LayersFlags) => {
      let size: [number, number];
      try {
        size = parseSize(flags.size);
      } catch (err) {
        prettyReporter().fail(err);
        result.code = EXIT_INVALID;
        return;
      }
      try {
        const { loadListingNetwork } = await import('../listing-network.ts');
        const { inferShapes } = await import('../../networks/shapes.ts');
        const net = await loadListingNetwork(toSpec(network), { workDir: process.cwd(), weightsFile: flags.weights });
        const shapes = inferShapes(net, size);
        const names = flags.all ? net.layers.filter((l) => l.op !== 'input').map((l) => l.name) : net.dreamLayers;
        const rows = names.map((name) => ({
          layer: name,
          op: net.layers.find((l) => l.name === name)?.op ?? '?',
          shape: shapes.get(name) ?? null,
          preset: net.preset[name] ?? null,
        }));
        if (flags.json) {
          for (const r of rows) process.stdout.write(printableJson(JSON.stringify(r)) + '\n');
        } else {
          process.stdout.write(printable(`${net.name} at ${size[0]}×${size[1]} (preprocessing: ${net.preprocessing})\n`));
          const width = Math.max(...rows.map((r) => r.layer.length), 5);
          for (const r of rows) {
            const shape = r.shape ? r.shape.join('×') : 'n/a';
            const preset = r.preset === null ? '' : `  preset weight ${r.preset}`;
            process.stdout.write(printable(`  ${r.layer.padEnd(width)}  ${r.op.padEnd(16)} ${shape}${preset}\n`));
          }
        }
        result.code = EXIT_OK;
      } catch (err) {
        prettyReporter().fail(err);
        result.code = err instanceof DreamflowError && err.code === 'E_UNKNOWN_NETWORK' ? EXIT_INVALID : EXIT_RUN_FAILED;
      }
    });
}

export function toSpec(network: string): NetworkSpec {
  return network.endsWith('.json') ? { path: network } : network;
}

export function parseSize(text: string): [number, number] {
  const m = /^(\d+)(?:[x×](\d+))?$/.exec(text.trim());
  if (!m) {
    throw new UsageError(`--size expects N or HxW, got "${text}"`, { expected: 'e.g. 224 or 299x299' });
  }
  const h = Number(m[1]);
  return [h, m[2] ? Number(m[2]) : h];
}
