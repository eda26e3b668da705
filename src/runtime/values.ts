/** Ownership helpers for the values that flow between nodes. */
import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import type { ImageValue, MaskValue, Value } from './types.ts';

export function tensorsOf(v: Value | undefined): tf.Tensor[] {
  if (!v) return [];
  if (v.kind === 'image') return v.alpha ? [v.tensor, v.alpha] : [v.tensor];
  if (v.kind === 'pyramid') return v.levels.flatMap((l) => tensorsOf(l));
  if (v.kind === 'mask' || v.kind === 'features') return [v.tensor];
  return [];
}

export function disposeValue(v: Value | undefined): void {
  for (const t of tensorsOf(v)) if (!t.isDisposed) t.dispose();
}

/** An independent reference to the same data (tf.clone): disposing one never affects the other. */
export function cloneValue<V extends Value>(v: V): V {
  if (v.kind === 'image') return cloneImage(v) as V;
  if (v.kind === 'pyramid') return { ...v, levels: v.levels.map(cloneImage) } as V;
  if (v.kind === 'mask' || v.kind === 'features') return { ...v, tensor: tf.clone(v.tensor) } as V;
  if (v.kind === 'files') return { ...v, paths: [...v.paths] };
  return { ...v };
}

function cloneImage(v: ImageValue): ImageValue {
  return { ...v, tensor: tf.clone(v.tensor), ...(v.alpha ? { alpha: tf.clone(v.alpha) } : {}) };
}

/** Bytes held by the value's tensors (what the cache budget counts). */
export function valueBytes(v: Value): number {
  let n = 0;
  for (const t of tensorsOf(v)) n += t.size * (t.dtype === 'bool' ? 1 : 4);
  if (v.kind === 'files') return 64 * v.paths.length;
  return v.kind === 'file' ? n + 64 : n;
}

/** A short reason when `v` is not a well-formed Value (a node bug), else undefined. */
export function checkValue(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object') return `returned ${v === null ? 'null' : typeof v}, not a value`;
  const x = v as Partial<Value>;
  if (x.kind === 'image') {
    const t = (x as ImageValue).tensor;
    if (!(t instanceof tf.Tensor) || t.rank !== 4) return 'returned an image whose tensor is not a rank-4 tensor';
    if (t.isDisposed) return 'returned an image whose tensor is already disposed';
    return undefined;
  }
  if (x.kind === 'pyramid') {
    const levels = (x as { levels?: unknown }).levels;
    if (!Array.isArray(levels) || levels.length === 0) return 'returned a pyramid without levels';
    for (const l of levels) {
      const why = checkValue(l);
      if (why) return why;
    }
    return undefined;
  }
  if (x.kind === 'mask' || x.kind === 'features') {
    const t = (x as { tensor?: unknown }).tensor;
    if (!(t instanceof tf.Tensor) || t.isDisposed) return `returned a ${x.kind} value without a live tensor`;
    return undefined;
  }
  if (x.kind === 'files') return Array.isArray((x as { paths?: unknown }).paths) ? undefined : 'returned a file list without paths';
  if (x.kind === 'file') return typeof (x as { path?: unknown }).path === 'string' ? undefined : 'returned a file value without a path';
  return `returned a value of unknown kind "${String(x.kind)}"`;
}

/**
 * A node must return tensors it created. If it handed back one of its inputs' tensors, give it its own
 * reference so that disposing the input later cannot free the output.
 */
export function detachFromInputs<V extends Value>(out: V, inputs: Iterable<Value | undefined>): V {
  const owned = new Set<tf.Tensor>();
  for (const i of inputs) for (const t of tensorsOf(i)) owned.add(t);
  if (owned.size === 0 || !tensorsOf(out).some((t) => owned.has(t))) return out;
  const fix = (img: ImageValue): ImageValue => ({
    ...img,
    tensor: owned.has(img.tensor) ? tf.clone(img.tensor) : img.tensor,
    ...(img.alpha ? { alpha: owned.has(img.alpha) ? tf.clone(img.alpha) : img.alpha } : {}),
  });
  if (out.kind === 'image') return fix(out) as V;
  if (out.kind === 'pyramid') return { ...out, levels: out.levels.map(fix) } as V;
  if (out.kind === 'mask' || out.kind === 'features') return { ...out, tensor: tf.clone(out.tensor) } as V;
  return out;
}

/** Same kind, shapes and numbers (early cutoff: a re-run that changed nothing). */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a.kind === 'file' || b.kind === 'file') {
    return a.kind === 'file' && b.kind === 'file' && a.path === b.path && a.bytes === b.bytes;
  }
  if (a.kind === 'mask' || a.kind === 'features' || b.kind === 'mask' || b.kind === 'features') {
    const layer = (v: Value) => (v.kind === 'features' ? v.layer : undefined);
    return a.kind === b.kind && layer(a) === layer(b) && tensorsEqual((a as MaskValue).tensor, (b as MaskValue).tensor);
  }
  if (a.kind === 'files' || b.kind === 'files') {
    return a.kind === 'files' && b.kind === 'files' && a.paths.length === b.paths.length && a.paths.every((p, i) => p === b.paths[i]);
  }
  if (a.kind === 'pyramid' || b.kind === 'pyramid') {
    if (a.kind !== 'pyramid' || b.kind !== 'pyramid' || a.levels.length !== b.levels.length) return false;
    return a.levels.every((l, i) => valuesEqual(l, b.levels[i]));
  }
  if (a.space !== b.space || a.sourcePath !== b.sourcePath || Boolean(a.alpha) !== Boolean(b.alpha)) return false;
  return tensorsEqual(a.tensor, b.tensor) && (!a.alpha || tensorsEqual(a.alpha, b.alpha!));
}

function tensorsEqual(x: tf.Tensor, y: tf.Tensor): boolean {
  if (x === y) return true;
  if (x.dtype !== y.dtype || x.shape.length !== y.shape.length || x.shape.some((d, i) => d !== y.shape[i])) return false;
  const p = x.dataSync();
  const q = y.dataSync();
  for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) return false;
  return true;
}
