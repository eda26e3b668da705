/**
 * A layer's mean activation per channel on an image (what strongest-k ranks), computed window by window when the
 * image is larger than `ascend`'s tile, so its memory depends on the tile, not the image: the windows are the ones
 * a tiled gradient of that layer would use (planTiles: at most `tile` pixels, `tile_margin` of context, starts on
 * the layer's stride grid), each activation is counted in the one window whose core holds it, and the sums are
 * divided by the count. With a margin of at least the layer's field − 1 the means are the whole image's (to float
 * rounding); with less, activations near the cuts see a little less context, as the tiled gradient's do.
 */
import { tf } from '../tf/lazy.ts'; // TensorFlow.js, loaded on first use
import { planTiles, type TileSettings } from '../engines/tile-plan.ts';
import type { TileLayout } from '../image/tile-layout.ts';
import type { Network } from '../networks/ir.ts';
import { layerForward, type FeatureRequest } from './layer-features.ts';

/** Per-channel means of `layer`'s activation on image [1, h, w, c], windowed by `tiles` (tile 0: whole). */
export async function channelMeans(
  net: Network,
  image: tf.Tensor4D,
  layer: string,
  tiles: TileSettings,
  req: FeatureRequest,
): Promise<Float64Array> {
  const forward = await layerForward(net, layer, req);
  try {
    const [, h, w] = image.shape;
    const plan = planTiles(net, [{ layer, weight: 1 }], [h, w], tiles);
    return await windowedChannelMeans((x) => forward.run(x), image, plan.layout, plan.geometry.stride);
  } finally {
    forward.dispose();
  }
}

/**
 * The means over the windows of `layout` (one window covering the image: the plain mean), with `forward` giving
 * the layer's activation [1, h', w', C] (or [1, C] for a layer that pools globally, which is never windowed) of
 * a window [1, wh, ww, c].
 *
 * Which activations a window counts: a window starting at `top` on the stride grid (top = m·s) gives activation
 * row i where the whole image gives row m + i (the window's rows are the whole image's, for the activations whose
 * field lies in the window). Whole-image row I is anchored at pixel row I·s, the first row of its stride cell,
 * and counted by the window whose core [y0, y1) holds that pixel: y0 ≤ I·s < y1, i.e. in the window's own rows
 * ceil((y0 − top)/s) ≤ i < ceil((y1 − top)/s), clamped to the rows it has (a 'valid' layer has fewer rows than
 * cells, and the last window, clamped to the far edge, ends where the image's rows end). The cores partition the
 * image, so every whole-image activation (anchored at I·s < h) is counted exactly once; columns likewise. An
 * anchored activation's field lies within field − 1 of its anchor, so inside the window when the margin is at
 * least that. The count divides the sums, so a window off the grid (tile-layout's fallback) still gives a mean
 * over the positions it counted.
 */
export async function windowedChannelMeans(
  forward: (x: tf.Tensor4D) => tf.Tensor,
  image: tf.Tensor4D,
  layout: TileLayout,
  stride: number,
): Promise<Float64Array> {
  const [wh, ww] = layout.window;
  let sums: Float64Array | undefined;
  let count = 0;
  for (const { top, left, core } of layout.windows) {
    const window = tf.slice(image, [0, top, left, 0], [1, wh, ww, image.shape[3]]);
    let act: tf.Tensor;
    try {
      act = forward(window);
    } finally {
      window.dispose();
    }
    let part: tf.Tensor;
    let positions: number;
    try {
      if (act.rank !== 4) {
        positions = 1;
        part = tf.reshape(act, [-1]);
      } else {
        const [, ah, aw, channels] = act.shape as [number, number, number, number];
        const [r0, r1] = counted(core.y0 - top, core.y1 - top, stride, ah);
        const [c0, c1] = counted(core.x0 - left, core.x1 - left, stride, aw);
        positions = Math.max(0, r1 - r0) * Math.max(0, c1 - c0);
        if (positions === 0) continue;
        part = tf.tidy(() => tf.sum(tf.slice(act, [0, r0, c0, 0], [1, r1 - r0, c1 - c0, channels]), [0, 1, 2]));
      }
    } finally {
      act.dispose();
    }
    const values = await part.data();
    part.dispose();
    sums ??= new Float64Array(values.length);
    for (let ch = 0; ch < values.length; ch++) sums[ch]! += values[ch]!;
    count += positions;
  }
  if (!sums) throw new RangeError('no window counted an activation');
  return sums.map((v) => v / count);
}

/** Activation indices [ceil(a/s), ceil(b/s)) of the core pixels [a, b) (window coordinates), within [0, n). */
function counted(a: number, b: number, s: number, n: number): [number, number] {
  return [Math.max(0, Math.ceil(a / s)), Math.min(n, Math.ceil(b / s))];
}
