/**
 * The onnx gradient engine: the network's forward pass and its input gradient as one ONNX graph run by
 * onnxruntime-node. See engine.ts (sessions, caching), build-model.ts (the graph) and supports.ts (coverage).
 */
export { createOnnxEngine, objectiveKey } from './engine.ts';
export type { OnnxEngine, OnnxEngineOptions, OnnxSessionStat } from './engine.ts';
export { onnxSupports } from './supports.ts';
export { acquireOnnxEngine, releaseSharedOnnxEngines, sharedOnnxEngine } from './shared.ts';
export type { OnnxSupport } from './supports.ts';
export { buildGradientModel } from './build-model.ts';
export { cudaBinariesPresent as onnxCudaInstalled } from './session-factory.ts';
export type { OnnxDevice } from './session-factory.ts';
