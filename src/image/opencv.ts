/**
 * OpenCV (the @techstark/opencv-js WebAssembly build), loaded once on first use: dense optical flow (Farneback),
 * remapping and affine warps for the frame-loop nodes. Loading takes about half a second, so only pipelines with
 * those nodes pay it.
 */
import { createRequire } from 'node:module';

// The package's types describe the browser global; the parts used here are typed by hand below.
export interface Mat {
  data32F: Float32Array;
  data: Uint8Array;
  rows: number;
  cols: number;
  delete(): void;
}
export interface OpenCv {
  Mat: new (rows?: number, cols?: number, type?: number) => Mat;
  matFromArray(rows: number, cols: number, type: number, data: ArrayLike<number>): Mat;
  Size: new (w: number, h: number) => unknown;
  Point: new (x: number, y: number) => unknown;
  Scalar: new (...v: number[]) => unknown;
  CV_8UC1: number;
  CV_32FC1: number;
  CV_32FC2: number;
  CV_32FC3: number;
  CV_64FC1: number;
  INTER_LINEAR: number;
  BORDER_REPLICATE: number;
  BORDER_REFLECT: number;
  calcOpticalFlowFarneback(prev: Mat, next: Mat, flow: Mat, pyrScale: number, levels: number, winsize: number, iterations: number, polyN: number, polySigma: number, flags: number): void;
  remap(src: Mat, dst: Mat, map1: Mat, map2: Mat, interpolation: number, borderMode: number, borderValue: unknown): void;
  warpAffine(src: Mat, dst: Mat, m: Mat, size: unknown, flags: number, borderMode: number, borderValue: unknown): void;
  getRotationMatrix2D(center: unknown, angle: number, scale: number): Mat;
}

// The Emscripten module has a `then` method: a promise resolved with it (or an async function returning it) would
// call it, get the module again, and loop forever. Once the runtime is up, the module loses `then`.
let loading: Promise<OpenCv> | undefined;

export function opencv(): Promise<OpenCv> {
  loading ??= new Promise<{ cv: OpenCv }>((resolve) => {
    const mod = createRequire(import.meta.url)('@techstark/opencv-js') as OpenCv & { onRuntimeInitialized?: () => void; calledRun?: boolean; then?: unknown };
    const ready = () => {
      delete mod.then;
      resolve({ cv: mod });
    };
    if (mod.calledRun) ready();
    else mod.onRuntimeInitialized = ready;
  }).then((box) => box.cv);
  return loading;
}

/** Runs `f` with matrices it registers, deleting them afterwards (OpenCV's wasm heap is not garbage collected). */
export function withMats<T>(f: (track: <M extends Mat>(m: M) => M) => T): T {
  const mats: Mat[] = [];
  try {
    return f((m) => {
      mats.push(m);
      return m;
    });
  } finally {
    for (const m of mats) m.delete();
  }
}
