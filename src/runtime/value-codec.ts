/**
 * Values as bytes, for the disk cache: a JSON skeleton (the value with each tensor replaced by its shape) and the
 * tensors' float32 data after it. `describe` reads what the executor needs without the data (kind, pyramid levels,
 * file paths).
 */
import { tf } from '../tf/lazy.ts';
import type { FeaturesValue, ImageValue, MaskValue, Value } from './types.ts';

/** What a value is, without its numbers. */
export type ValueMeta =
  | { kind: 'image' }
  | { kind: 'pyramid'; levels: number }
  | { kind: 'file'; path: string; bytes: number }
  | { kind: 'files'; paths: string[] }
  | { kind: 'mask' }
  | { kind: 'features' };

type TensorRef = { shape: number[] };
type ImageSkeleton = Omit<ImageValue, 'tensor' | 'alpha'> & { tensor: TensorRef; alpha?: TensorRef };
type TensorSkeleton = { kind: 'mask'; tensor: TensorRef } | { kind: 'features'; layer: string; tensor: TensorRef };
type Skeleton =
  | Exclude<Value, ImageValue | { kind: 'pyramid' } | MaskValue | FeaturesValue>
  | ImageSkeleton
  | { kind: 'pyramid'; levels: ImageSkeleton[] }
  | TensorSkeleton;

export function metaOf(v: Value): ValueMeta {
  if (v.kind === 'pyramid') return { kind: 'pyramid', levels: v.levels.length };
  if (v.kind === 'file') return { kind: 'file', path: v.path, bytes: v.bytes };
  if (v.kind === 'files') return { kind: 'files', paths: v.paths };
  if (v.kind === 'mask' || v.kind === 'features') return { kind: v.kind };
  return { kind: 'image' };
}

/** Skeleton JSON, then the tensors' data in skeleton order. Reads tensors synchronously (they are small frames). */
export function encodeValue(v: Value): { skeleton: string; data: Buffer } {
  const chunks: Buffer[] = [];
  const ref = (t: tf.Tensor): TensorRef => {
    const d = t.dataSync() as Float32Array;
    chunks.push(Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    return { shape: [...t.shape] };
  };
  const image = (i: ImageValue): ImageSkeleton => ({ ...i, tensor: ref(i.tensor), ...(i.alpha ? { alpha: ref(i.alpha) } : {}) });
  let skeleton: Skeleton;
  if (v.kind === 'image') skeleton = image(v);
  else if (v.kind === 'pyramid') skeleton = { kind: 'pyramid', levels: v.levels.map(image) };
  else if (v.kind === 'mask' || v.kind === 'features') skeleton = { ...v, tensor: ref(v.tensor) };
  else skeleton = v;
  return { skeleton: JSON.stringify({ meta: metaOf(v), value: skeleton }), data: Buffer.concat(chunks) };
}

export function decodeMeta(skeleton: string): ValueMeta {
  return (JSON.parse(skeleton) as { meta: ValueMeta }).meta;
}

/** The value back, as new tensors the caller owns. Throws when the data does not fit the skeleton. */
export function decodeValue(skeleton: string, data: Buffer): Value {
  const { value } = JSON.parse(skeleton) as { value: Skeleton };
  let offset = 0;
  const made: tf.Tensor[] = [];
  const tensor = <T extends tf.Tensor = tf.Tensor4D>(r: TensorRef): T => {
    const n = r.shape.reduce((a, b) => a * b, 1);
    if (offset + n * 4 > data.length) throw new Error('cache entry is shorter than its skeleton says');
    const f = new Float32Array(n);
    Buffer.from(f.buffer).set(data.subarray(offset, offset + n * 4));
    offset += n * 4;
    const t = tf.tensor(f, r.shape, 'float32');
    made.push(t);
    return t as T;
  };
  try {
    const image = (s: ImageSkeleton): ImageValue => ({ ...s, tensor: tensor(s.tensor), ...(s.alpha ? { alpha: tensor(s.alpha) } : {}) }) as ImageValue;
    let out: Value;
    if (value.kind === 'image') out = image(value as ImageSkeleton);
    else if (value.kind === 'pyramid') out = { kind: 'pyramid', levels: (value as { levels: ImageSkeleton[] }).levels.map(image) };
    else if (value.kind === 'mask' || value.kind === 'features') out = { ...value, tensor: tensor(value.tensor) } as Value;
    else out = value as Value;
    if (offset !== data.length) throw new Error('cache entry is longer than its skeleton says');
    return out;
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  }
}
