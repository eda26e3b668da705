/**
 * A small helper to emit an ONNX graph: unique value names, nodes with typed attributes, float/int64
 * initializers, and static shapes tracked alongside every value (the engine builds one graph per input shape,
 * so every shape is known while emitting and backward ops can be sized exactly).
 */
import { AttrType, DataType, encodeModel } from './onnx-proto.ts';
import type { AttributeMsg, GraphMsg, NodeMsg, TensorMsg, ValueInfoMsg } from './onnx-proto.ts';

/**
 * 18, not 17: Pad's `axes` input (new in 18) keeps onnxruntime's PadFusion from merging a zero_pad into the
 * next pool, which 1.30 does even when the merged pads reach the kernel size (then fails to load the model).
 */
export const OPSET = 18;

/** number → INT, number[] → INTS, { f } → FLOAT, { floats } → FLOATS. */
export type AttrValue = number | number[] | string | { f: number } | { floats: number[] };

/** A value in the graph with its static shape. */
export interface Value {
  name: string;
  shape: number[];
}

export class GraphBuilder {
  private readonly nodes: NodeMsg[] = [];
  private readonly initializers: TensorMsg[] = [];
  private readonly inputs: ValueInfoMsg[] = [];
  private readonly outputs: ValueInfoMsg[] = [];
  private readonly used = new Set<string>();
  private readonly constCache = new Map<string, string>();

  /** A fresh value name based on `hint` (layer names may contain characters ONNX tolerates; keep them). */
  fresh(hint: string): string {
    let name = hint;
    for (let i = 1; this.used.has(name); i++) name = `${hint}__${i}`;
    this.used.add(name);
    return name;
  }

  /** Emits one node; returns its output names (fresh, derived from `hint`). */
  node(opType: string, inputs: string[], hint: string, attrs: Record<string, AttrValue> = {}, outputs = 1): string[] {
    const outNames = Array.from({ length: outputs }, (_, i) => this.fresh(outputs === 1 ? hint : `${hint}_${i}`));
    this.nodes.push({
      name: this.fresh(`${hint}/${opType}`),
      opType,
      input: inputs,
      output: outNames,
      attribute: Object.entries(attrs).map(([name, v]) => attribute(name, v)),
    });
    return outNames;
  }

  /** One-output node. */
  op(opType: string, inputs: string[], hint: string, attrs: Record<string, AttrValue> = {}): string {
    return this.node(opType, inputs, hint, attrs)[0]!;
  }

  floatInit(hint: string, dims: number[], data: Float32Array): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, rawData: bytes(data) });
    return name;
  }

  int64Init(hint: string, values: number[]): string {
    const key = `i64:${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.fresh(hint);
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: DataType.INT64,
      rawData: bytes(BigInt64Array.from(values.map((v) => BigInt(v)))),
    });
    this.constCache.set(key, name);
    return name;
  }

  /** A float scalar constant (shape []), shared between uses. */
  scalar(value: number): string {
    const key = `f32:${value}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.fresh(`const_${value}`);
    this.initializers.push({ name, dims: [], dataType: DataType.FLOAT, rawData: bytes(Float32Array.of(value)) });
    this.constCache.set(key, name);
    return name;
  }

  input(name: string, shape: number[]): string {
    this.used.add(name);
    this.inputs.push(valueInfo(name, shape));
    return name;
  }

  output(name: string, shape: number[]): void {
    this.outputs.push(valueInfo(name, shape));
  }

  encode(graphName: string): Uint8Array {
    const graph: GraphMsg = {
      name: graphName,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    };
    return encodeModel(graph, OPSET);
  }

  get nodeCount(): number {
    return this.nodes.length;
  }
}

function bytes(a: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function valueInfo(name: string, shape: number[]): ValueInfoMsg {
  return {
    name,
    type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
  };
}

function attribute(name: string, v: AttrValue): AttributeMsg {
  if (typeof v === 'number') return { name, type: AttrType.INT, i: v };
  if (typeof v === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: AttrType.INTS, ints: v };
  if ('f' in v) return { name, type: AttrType.FLOAT, f: v.f };
  return { name, type: AttrType.FLOATS, floats: v.floats };
}
