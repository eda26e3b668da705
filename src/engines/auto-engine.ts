/**
 * engine: auto. Prefers the onnx engine, but whether it can differentiate a network depends on the objective
 * (only the layers feeding it matter), so the choice is made per objective on first use, cached, and the user
 * is told once when an objective falls back to tfjs. Both engines are created on first need.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Network } from '../networks/ir.ts';
import type { OnnxSupport } from './onnx/supports.ts';
import type { GradientEngine, LossAndGrad, ObjectiveTerm } from './engine.ts';

export interface AutoEngineParts {
  onnx(): GradientEngine;
  tfjs(): GradientEngine;
  supports(net: Network, objective: ObjectiveTerm[]): OnnxSupport;
  objectiveKey(objective: ObjectiveTerm[]): string;
  /** Told once per objective that falls back (code N_ENGINE_FALLBACK). */
  notify?: (notice: { code: string; message: string }) => void;
}

export interface AutoEngine extends GradientEngine {
  /** The engine that serves `objective` (decides and caches on first call; tells the user on a fallback). */
  pick(objective: ObjectiveTerm[]): 'onnx' | 'tfjs';
}

export function createAutoEngine(net: Network, parts: AutoEngineParts): AutoEngine {
  const decided = new Map<string, 'onnx' | 'tfjs'>();
  const made: Partial<Record<'onnx' | 'tfjs', GradientEngine>> = {};
  const engine = (name: 'onnx' | 'tfjs') => (made[name] ??= parts[name]());
  let last: 'onnx' | 'tfjs' = 'onnx';

  function pick(objective: ObjectiveTerm[]): 'onnx' | 'tfjs' {
    const key = parts.objectiveKey(objective);
    const hit = decided.get(key);
    if (hit) return hit;
    let support: OnnxSupport;
    try {
      support = parts.supports(net, objective);
    } catch {
      // A bad objective (unknown layer): tfjs reports it, with the same codes and its suggestions; not cached.
      return 'tfjs';
    }
    const choice = support.ok ? 'onnx' : 'tfjs';
    if (!support.ok) {
      parts.notify?.({
        code: 'N_ENGINE_FALLBACK',
        message:
          `engine auto: the onnx engine cannot differentiate layer "${support.layer}" (${support.op}) of ${net.name}; ` +
          `using the tfjs engine for ${objective.map((t) => t.layer).join(', ')}`,
      });
    }
    decided.set(key, choice);
    return choice;
  }

  return {
    /** The engine that served the last call (onnx until a call says otherwise). */
    get name() {
      return last;
    },
    pick,
    lossAndGrad(x: tf.Tensor4D, objective: ObjectiveTerm[]): Promise<LossAndGrad> {
      last = pick(objective);
      return engine(last).lossAndGrad(x, objective);
    },
    release(shape: readonly number[]) {
      made.onnx?.release?.(shape);
      made.tfjs?.release?.(shape);
    },
    dispose() {
      made.onnx?.dispose();
      made.tfjs?.dispose();
    },
  };
}
