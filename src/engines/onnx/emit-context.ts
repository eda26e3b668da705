/**
 * What an op emitter sees: the graph being built, converted weights, the forward values by step name, and a
 * per-step scratch record in which forward leaves what backward needs (activation output, pool indices...).
 */
import type { GraphBuilder, Value } from './graph-builder.ts';
import type { PlanStep } from './plan.ts';
import type { WeightStore } from './weights.ts';
import { DreamflowError } from '../../errors/dreamflow-error.ts';

export interface EmitContext {
  g: GraphBuilder;
  weights: WeightStore;
  /** forward outputs (NCHW, or [1, C] after flatten/dense/global pooling) */
  values: Map<string, Value>;
  /** per step: names the backward pass needs */
  saved: Map<string, Record<string, string>>;
}

export interface OpEmitter {
  /** Emits the step's forward ops; returns its output. */
  forward(ctx: EmitContext, step: PlanStep, inputs: Value[]): Value;
  /** Emits the input gradients given the output gradient `dy`; one entry per step input. */
  backward(ctx: EmitContext, step: PlanStep, inputs: Value[], output: Value, dy: string): string[];
}

export function unsupported(layer: string, op: string, why?: string): DreamflowError {
  return new DreamflowError(
    'E_ONNX_UNSUPPORTED_OP',
    `the onnx engine cannot differentiate layer "${layer}" (${op})${why ? `: ${why}` : ''}`,
    { hints: ['use the tfjs engine (engine: tfjs), or engine: auto to fall back to it'] },
  );
}

export function inputTooSmall(layer: string, shape: number[]): DreamflowError {
  return new DreamflowError(
    'E_INPUT_TOO_SMALL',
    `the image is too small for layer "${layer}": its input is ${shape.slice(2).join('×')}`,
    { expected: 'a larger image (or fewer octaves / a smaller octave scale)' },
  );
}
