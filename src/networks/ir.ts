/**
 * The network description every engine consumes: named layers with their ops, in topological order, plus a
 * weight table. Loaders (TF.js model.json, Keras .h5 architectures) produce it; the tfjs and onnx engines
 * execute it. Layout is always NHWC; conv kernels are HWIO ([kh, kw, in, out]); depthwise kernels are
 * [kh, kw, in, multiplier]; dense kernels are [in, out] (all as Keras stores them).
 */

export type Activation = 'linear' | 'relu' | 'relu6' | 'leaky_relu' | 'sigmoid' | 'tanh';

/** 'same' and 'valid' as in TF/Keras; or explicit [[top, bottom], [left, right]]. */
export type Padding = 'same' | 'valid' | [[number, number], [number, number]];

interface LayerBase {
  /** Unique name; the names users dream on (Keras's own names). */
  name: string;
  /** Names of the layers whose outputs feed this one (empty only for the input). */
  inputs: string[];
}

export type LayerOp =
  | { op: 'input'; channels: number }
  | {
      op: 'conv2d';
      kernel: string;
      bias?: string;
      strides: [number, number];
      padding: Padding;
      dilations?: [number, number];
      activation?: Activation;
      alpha?: number; // leaky_relu slope
    }
  | {
      op: 'depthwise_conv2d';
      kernel: string;
      bias?: string;
      strides: [number, number];
      padding: Padding;
      dilations?: [number, number];
      activation?: Activation;
      alpha?: number;
    }
  | {
      op: 'batch_norm';
      /** absent when the Keras layer has scale: false (gamma = 1) */
      gamma?: string;
      /** absent when center: false (beta = 0) */
      beta?: string;
      mean: string;
      variance: string;
      epsilon: number;
    }
  | { op: 'activation'; activation: Activation; alpha?: number }
  | { op: 'max_pool'; size: [number, number]; strides: [number, number]; padding: Padding }
  /** 'same' padding excludes padded cells from the average, as TF/Keras do. */
  | { op: 'avg_pool'; size: [number, number]; strides: [number, number]; padding: Padding }
  | { op: 'zero_pad'; padding: [[number, number], [number, number]] }
  | { op: 'concat' } // along channels
  | { op: 'add' }
  | { op: 'global_avg_pool' }
  | { op: 'flatten' }
  | { op: 'dense'; kernel: string; bias?: string; activation?: Activation; alpha?: number };

export type Layer = LayerBase & LayerOp;
export type OpName = LayerOp['op'];

export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

/** How raw RGB 0..255 pixels become network input. */
export type Preprocessing =
  | 'inception' // x / 127.5 - 1
  | 'caffe' // RGB→BGR, minus ImageNet BGR mean [103.939, 116.779, 123.68]
  | 'unit'; // x / 255

export interface Network {
  /** registry name, or the model path for user models */
  name: string;
  layers: Layer[];
  weights: Map<string, WeightTensor>;
  preprocessing: Preprocessing;
  /** Layers worth dreaming on, shallow to deep (shown by `dreamflow layers`). */
  dreamLayers: string[];
  /** Default objective: layer name → weight. */
  preset: Record<string, number>;
  /** Human description: what it is, where the weights come from. */
  description: string;
}
