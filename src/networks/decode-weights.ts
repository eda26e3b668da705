/**
 * Decodes a TF.js weights manifest (model.json "weightsManifest") and its shard bytes into float32 arrays,
 * as tf.io.decodeWeights does, without making tensors: 8- and 16-bit affine quantization (value = q·scale + min)
 * and float16 quantization are expanded to float32.
 */
import { DreamflowError } from '../errors/dreamflow-error.ts';
import type { WeightTensor } from './ir.ts';

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

export interface WeightsGroup {
  paths: string[];
  weights: WeightEntry[];
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2, bool: 1 };

/** IEEE half → float (no tables needed at these sizes). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function decodeOne(entry: WeightEntry, bytes: Uint8Array, where: string): Float32Array {
  const count = entry.shape.reduce((p, d) => p * d, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  const q = entry.quantization;
  if (q) {
    if (q.dtype === 'float16') {
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return out;
    }
    if (q.dtype !== 'uint8' && q.dtype !== 'uint16') {
      throw new DreamflowError('E_MODEL_INVALID', `${where}: weight "${entry.name}" has unsupported quantization ${q.dtype}`);
    }
    const scale = q.scale ?? 1;
    const min = q.min ?? 0;
    for (let i = 0; i < count; i++) {
      const v = q.dtype === 'uint8' ? bytes[i]! : view.getUint16(2 * i, true);
      out[i] = v * scale + min;
    }
    return out;
  }
  switch (entry.dtype) {
    case 'float32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    case 'int32':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
      return out;
    default:
      throw new DreamflowError('E_MODEL_INVALID', `${where}: weight "${entry.name}" has unsupported dtype ${entry.dtype}`);
  }
}

/** The stored byte length of one entry. */
export function byteLength(entry: WeightEntry): number {
  const count = entry.shape.reduce((p, d) => p * d, 1);
  const dtype = entry.quantization?.dtype ?? entry.dtype;
  const size = BYTES[dtype];
  if (size === undefined) throw new DreamflowError('E_MODEL_INVALID', `weight "${entry.name}": unknown dtype ${dtype}`);
  return count * size;
}

/** Weight names as stored, minus a TF ":0" suffix. */
export function normaliseWeightName(name: string): string {
  return name.replace(/:\d+$/, '');
}

/**
 * `groupBytes[i]` holds the concatenated shards of `manifest[i]`, in order. `where` names the source in errors.
 */
export function decodeWeights(
  manifest: WeightsGroup[],
  groupBytes: Uint8Array[],
  where: string,
): Map<string, WeightTensor> {
  const weights = new Map<string, WeightTensor>();
  manifest.forEach((group, gi) => {
    const bytes = groupBytes[gi]!;
    let offset = 0;
    for (const entry of group.weights) {
      const len = byteLength(entry);
      if (offset + len > bytes.byteLength) {
        throw new DreamflowError(
          'E_MODEL_INVALID',
          `${where}: weight shards of group ${gi + 1} hold ${bytes.byteLength} bytes, fewer than the manifest needs`,
        );
      }
      const data = decodeOne(entry, bytes.subarray(offset, offset + len), where);
      weights.set(normaliseWeightName(entry.name), { shape: [...entry.shape], data });
      offset += len;
    }
  });
  return weights;
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}
