import type { NodeDefinition } from '../runtime/types.ts';
import { ascendNode } from './ascend.ts';
import { blendDetailNode } from './blend-detail.ts';
import { deprocessNode } from './deprocess.ts';
import { guideNode } from './guide.ts';
import { keepColorsNode } from './keep-colors.ts';
import { encodeNode } from './encode.ts';
import { flowCarryNode } from './flow-carry.ts';
import { frameBlendNode } from './frame-blend.ts';
import { framesNode } from './frames.ts';
import { loadNode } from './load.ts';
import { maskNode } from './mask.ts';
import { octaveSplitNode } from './octave-split.ts';
import { preprocessNode } from './preprocess.ts';
import { saveNode } from './save.ts';
import { zoomNode } from './zoom.ts';

/** The node types every pipeline can use, in the order a pipeline usually wires them. */
export const builtinNodes: NodeDefinition[] = [
  loadNode,
  preprocessNode,
  octaveSplitNode,
  blendDetailNode,
  maskNode,
  guideNode,
  ascendNode,
  deprocessNode,
  keepColorsNode,
  saveNode,
  framesNode,
  frameBlendNode,
  flowCarryNode,
  zoomNode,
  encodeNode,
];

export {
  ascendNode,
  blendDetailNode,
  deprocessNode,
  encodeNode,
  flowCarryNode,
  frameBlendNode,
  framesNode,
  guideNode,
  keepColorsNode,
  loadNode,
  maskNode,
  octaveSplitNode,
  preprocessNode,
  saveNode,
  zoomNode,
};
