/**
 * One layer's activation for an image, for the objectives that look at features before dreaming (a guide's
 * features, the strongest channels): a forward pass of the network cut after that layer, with plain tf ops
 * (forwardReference). One pass per call, so its cost is a fraction of one gradient step's.
 */
import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { Network } from '../networks/ir.ts';
import { unknownLayerError } from '../networks/layer-names.ts';
import { pruneNetwork } from '../networks/prune.ts';
import { inferShapes } from '../networks/shapes.ts';

export interface FeatureRequest {
  /** Prefixed to error messages, e.g. `guide "style": `. */
  context: string;
  /** JSON path of the `layer` param, for errors. */
  path: string;
}

/** The activation [1, h', w', C] (or [1, C]) of `layer` on x [1, h, w, c]; the caller disposes it. */
export async function layerFeatures(net: Network, x: tf.Tensor4D, layer: string, req: FeatureRequest): Promise<tf.Tensor> {
  const forward = await layerForward(net, layer, req);
  try {
    return forward.run(x);
  } finally {
    forward.dispose();
  }
}

/** The network cut after one layer, its weights uploaded once for many inputs (the windows of one image). */
export interface LayerForward {
  /** The activation of `layer` on x [1, h, w, c]; the caller disposes it. E_INPUT_TOO_SMALL names x's size. */
  run(x: tf.Tensor4D): tf.Tensor;
  /** Frees the uploaded weights. */
  dispose(): void;
}

export async function layerForward(net: Network, layer: string, req: FeatureRequest): Promise<LayerForward> {
  if (!net.layers.some((l) => l.name === layer)) throw unknownLayerError(net, layer, { context: req.context, path: req.path });
  const pruned = pruneNetwork(net, [layer]);
  // Imported when used: node definitions load for `validate`, which must not pull in the engines.
  const { forwardReference, uploadWeights } = await import('../engines/tfjs/forward-reference.ts');
  const weights = uploadWeights(pruned);
  return {
    run(x) {
      const [, h, w] = x.shape;
      try {
        inferShapes(pruned, [h, w]);
      } catch (e) {
        if (!(e instanceof DreamflowError) || e.code !== 'E_INPUT_TOO_SMALL') throw e;
        throw new DreamflowError('E_INPUT_TOO_SMALL', `${req.context}the image is ${h}×${w}, too small for layer "${layer}" (${e.message})`, {
          path: req.path,
          expected: 'a larger image, or a shallower layer',
          cause: e,
        });
      }
      return tf.tidy(() => forwardReference(pruned, weights, x, [layer])[0]!);
    },
    dispose() {
      for (const t of weights.values()) t.dispose();
    },
  };
}

/** An activation as [positions, channels]: one feature vector per spatial position. */
export function featureRows(act: tf.Tensor): tf.Tensor2D {
  const channels = act.shape[act.shape.length - 1]!;
  return tf.reshape(act, [act.size / channels, channels]);
}
