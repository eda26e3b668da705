import type { NodeDefinition } from '../runtime/types.ts';
import { ascendNode } from './ascend.ts';
import { blendDetailNode } from './blend-detail.ts';
import { deprocessNode } from './deprocess.ts';
import { guideNode } from './guide.ts';
import { keepColorsNode } from './keep-colors.ts';
import { loadNode } from './load.ts';
import { maskNode } from './mask.ts';
import { octaveSplitNode } from './octave-split.ts';
import { preprocessNode } from './preprocess.ts';
import { saveNode } from './save.ts';

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
];

export {
  ascendNode,
  blendDetailNode,
  deprocessNode,
  guideNode,
  keepColorsNode,
  loadNode,
  maskNode,
  octaveSplitNode,
  preprocessNode,
  saveNode,
};
