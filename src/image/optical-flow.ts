/**
 * Dense optical flow and the warps the frame loop needs, on interleaved float pixel arrays (h·w·c).
 *
 * Direction: to carry the previous frame's detail onto the current frame we need, for each pixel x of the CURRENT
 * frame, where it was in the previous one: the backward flow b(x) with current(x) ≈ previous(x + b(x)). Then
 * warped(x) = detail_prev(x + b(x)) is a pure resampling (each output pixel reads one place), so a constant detail
 * stays constant and brightness cannot creep. Warping with a negated forward flow instead samples at x − f(x),
 * which is only right where the flow is constant and smears detail (and brightness) elsewhere.
 */
import { opencv, withMats, type OpenCv } from './opencv.ts';

export interface FlowOptions {
  pyrScale: number;
  levels: number;
  winsize: number;
  iterations: number;
}

export const DEFAULT_FLOW: FlowOptions = { pyrScale: 0.5, levels: 3, winsize: 15, iterations: 3 };

/** Backward flow from `current` to `previous` (both RGB 0..255, h·w·3): per pixel [dx, dy], h·w·2. */
export async function backwardFlow(current: Float32Array, previous: Float32Array, w: number, h: number, o: FlowOptions = DEFAULT_FLOW): Promise<Float32Array> {
  const cv = await opencv();
  return withMats((track) => {
    const cur = track(gray(cv, current, w, h));
    const prev = track(gray(cv, previous, w, h));
    const flow = track(new cv.Mat());
    // flow(x) such that cur(x) ≈ prev(x + flow(x)): OpenCV's "prev" argument is the frame we map FROM.
    cv.calcOpticalFlowFarneback(cur, prev, flow, o.pyrScale, o.levels, o.winsize, o.iterations, 5, 1.2, 0);
    return Float32Array.from(flow.data32F);
  });
}

/** Samples `src` (h·w·c, c = 1 or 3) at x + flow(x), bilinearly; outside the frame the nearest edge pixel. */
export async function warpByFlow(src: Float32Array, flow: Float32Array, w: number, h: number, c: 1 | 3): Promise<Float32Array> {
  const cv = await opencv();
  return withMats((track) => {
    const map = new Float32Array(w * h * 2);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 2;
        map[i] = x + flow[i];
        map[i + 1] = y + flow[i + 1];
      }
    }
    const s = track(cv.matFromArray(h, w, c === 3 ? cv.CV_32FC3 : cv.CV_32FC1, src));
    const m = track(cv.matFromArray(h, w, cv.CV_32FC2, map));
    const none = track(new cv.Mat());
    const dst = track(new cv.Mat());
    cv.remap(s, dst, m, none, cv.INTER_LINEAR, cv.BORDER_REPLICATE, new cv.Scalar());
    return Float32Array.from(dst.data32F);
  });
}

/** Zooms by `scale` about the centre, rotates by `degrees` (counter-clockwise) and shifts by (dx, dy) pixels. */
export async function zoomRotate(src: Float32Array, w: number, h: number, scale: number, degrees: number, dx: number, dy: number): Promise<Float32Array> {
  const cv = await opencv();
  return withMats((track) => {
    const s = track(cv.matFromArray(h, w, cv.CV_32FC3, src));
    const m = track(cv.getRotationMatrix2D(new cv.Point((w - 1) / 2, (h - 1) / 2), degrees, scale));
    const m64 = (m as unknown as { data64F: Float64Array }).data64F;
    m64[2] += dx;
    m64[5] += dy;
    const dst = track(new cv.Mat());
    cv.warpAffine(s, dst, m, new cv.Size(w, h), cv.INTER_LINEAR, cv.BORDER_REFLECT, new cv.Scalar());
    return Float32Array.from(dst.data32F);
  });
}

function gray(cv: OpenCv, rgb: Float32Array, w: number, h: number) {
  const g = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const v = 0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2];
    g[i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
  }
  return cv.matFromArray(h, w, cv.CV_8UC1, g);
}
