import type { NodeDefinition } from '../runtime/types.ts';
import { ascendNode } from './ascend.ts';
import { blendDetailNode } from './blend-detail.ts';
import { deprocessNode } from './deprocess.ts';
import { loadNode } from './load.ts';
import { octaveSplitNode } from './octave-split.ts';
import { preprocessNode } from './preprocess.ts';
import { saveNode } from './save.ts';

/** The node types every pipeline can use, in the order a pipeline usually wires them. */
export const builtinNodes: NodeDefinition[] = [
  loadNode,
  preprocessNode,
  octaveSplitNode,
  blendDetailNode,
  ascendNode,
  deprocessNode,
  saveNode,
];

export { ascendNode, blendDetailNode, deprocessNode, loadNode, octaveSplitNode, preprocessNode, saveNode };
