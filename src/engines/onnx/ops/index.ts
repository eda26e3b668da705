/** Which emitter handles each IR op ('input' is handled by the model builder itself). */
import type { OpName } from '../../../networks/ir.ts';
import type { OpEmitter } from '../emit-context.ts';
import { convEmitter } from './conv.ts';
import { avgPoolEmitter, maxPoolEmitter } from './pool.ts';
import {
  activationEmitter,
  addEmitter,
  batchNormEmitter,
  concatEmitter,
  denseEmitter,
  flattenEmitter,
  globalAvgPoolEmitter,
  zeroPadEmitter,
} from './structure.ts';

export const EMITTERS: Partial<Record<OpName, OpEmitter>> = {
  conv2d: convEmitter,
  depthwise_conv2d: convEmitter,
  max_pool: maxPoolEmitter,
  avg_pool: avgPoolEmitter,
  zero_pad: zeroPadEmitter,
  concat: concatEmitter,
  add: addEmitter,
  batch_norm: batchNormEmitter,
  activation: activationEmitter,
  global_avg_pool: globalAvgPoolEmitter,
  flatten: flattenEmitter,
  dense: denseEmitter,
};
