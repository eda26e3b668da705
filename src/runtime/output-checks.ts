/**
 * Checks on what a node instance produces or is about to write: a well-formed value, a pyramid where a loop opens,
 * outputs inside the allowed directory.
 */
import { NodeError } from '../errors/runtime-errors.ts';
import { WRITE_OUTSIDE_HINTS, writesOutside } from './output-paths.ts';
import type { PipelineNode, ValidatedPipeline } from './pipeline.ts';
import type { ValueMeta } from './value-codec.ts';
import type { Value } from './types.ts';
import { checkValue } from './values.ts';

/** Throws E_NODE_OUTPUT when `out` is not a well-formed Value (a node bug). */
export function checkNodeOutput(instance: string, node: PipelineNode, out: unknown): asserts out is Value {
  const bad = checkValue(out);
  if (bad) throw new NodeError('E_NODE_OUTPUT', `node "${instance}" (${node.def.type}) ${bad}`, instance, { location: node.location });
}

/** The number of octaves a loop-opening node's value makes (its pyramid's levels); throws when it is no pyramid. */
export function octaveCount(instance: string, node: PipelineNode, value: ValueMeta): number {
  if (value.kind !== 'pyramid' || value.levels === 0) {
    throw new NodeError('E_NODE_OUTPUT', `node "${instance}" (${node.def.type}) opens an octave loop but did not return a pyramid`, instance, {
      location: node.location,
    });
  }
  return value.levels;
}

/** Throws E_WRITE_OUTSIDE when a file the instance writes would leave `root`. */
export async function checkWrites(
  p: ValidatedPipeline,
  instance: string,
  node: PipelineNode,
  params: Record<string, unknown>,
  writes: string[],
  root: string,
): Promise<void> {
  const [outside] = await writesOutside(p, node.id, params, writes, root);
  if (!outside) return;
  throw new NodeError('E_WRITE_OUTSIDE', `node "${instance}" (${node.def.type}) may not write there: ${outside.problem}`, instance, {
    location: node.location,
    hints: WRITE_OUTSIDE_HINTS,
  });
}
