/**
 * Turns a scene image into a short looping GIF clip by moving a virtual camera over
 * it: pans and tilts slide a crop window, zooms scale it, a dolly pushes in with
 * acceleration, and "static" only breathes. The image is first area-downscaled to
 * 1.5× the clip width, so every frame samples at most 1.5 source pixels per output
 * pixel and thin text strokes do not flicker.
 */
import { encodeAnimatedGif } from './gif.ts';

export interface ClipImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export interface ClipOptions {
  /** Frames per second. @default 8 */
  fps?: number;
  /** Clip width in pixels; the height keeps the image's aspect ratio. @default 384 */
  outWidth?: number;
}

/** Longest clip we render; a guard against a runaway request, not a product limit. */
export const MAX_CLIP_SECONDS = 30;

/** Crop window in the working image: centre (x, y) and width, all as fractions of the image. */
interface View {
  x: number;
  y: number;
  scale: number;
}

const smooth = (t: number): number => t * t * (3 - 2 * t);

/** Where the camera looks at time t ∈ [0, 1]. Unknown movements are treated as static. */
function viewAt(movement: string, t: number): View {
  const e = smooth(t);
  // Pans and tilts travel across a window 85% of the frame: the slide is visible, the text mostly stays.
  const pan = 0.85;
  const travel = (1 - pan) / 2;
  switch (movement) {
    case 'pan-right':
      return { x: 0.5 - travel + 2 * travel * e, y: 0.5, scale: pan };
    case 'pan-left':
      return { x: 0.5 + travel - 2 * travel * e, y: 0.5, scale: pan };
    case 'tilt-up':
      return { x: 0.5, y: 0.5 + travel - 2 * travel * e, scale: pan };
    case 'tilt-down':
      return { x: 0.5, y: 0.5 - travel + 2 * travel * e, scale: pan };
    case 'zoom-in':
      return { x: 0.5, y: 0.5, scale: 1 - 0.22 * e };
    case 'zoom-out':
      return { x: 0.5, y: 0.5, scale: 0.78 + 0.22 * e };
    case 'dolly-in': {
      // A physical push: it accelerates, and drifts toward the upper middle where the subject sits.
      const d = t * t;
      return { x: 0.5, y: 0.5 - 0.08 * d, scale: 0.95 - 0.25 * d };
    }
    default:
      return { x: 0.5, y: 0.5, scale: 0.92 - 0.015 * Math.sin(t * Math.PI * 2) };
  }
}

/** For each output index, the source indices it covers and their weights (summing to 1). */
function areaWeights(inLength: number, outLength: number): Array<{ first: number; weights: Float64Array }> {
  const ratio = inLength / outLength;
  return Array.from({ length: outLength }, (_, o) => {
    const from = o * ratio;
    const to = from + ratio;
    const first = Math.floor(from);
    const last = Math.min(inLength, Math.ceil(to));
    const weights = new Float64Array(last - first);
    for (let i = first; i < last; i++) weights[i - first] = (Math.min(to, i + 1) - Math.max(from, i)) / ratio;
    return { first, weights };
  });
}

/** Area-average resize (each output pixel is the mean of the source area it covers); output is opaque. */
function resizeArea(src: ClipImage, width: number, height: number): ClipImage {
  const columns = areaWeights(src.width, width);
  const rows = areaWeights(src.height, height);
  const wide = new Float32Array(width * src.height * 3);
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < width; x++) {
      const { first, weights } = columns[x] as { first: number; weights: Float64Array };
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < weights.length; k++) {
        const at = (y * src.width + first + k) * 4;
        const w = weights[k] as number;
        r += (src.rgba[at] as number) * w;
        g += (src.rgba[at + 1] as number) * w;
        b += (src.rgba[at + 2] as number) * w;
      }
      const out = (y * width + x) * 3;
      wide[out] = r;
      wide[out + 1] = g;
      wide[out + 2] = b;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const { first, weights } = rows[y] as { first: number; weights: Float64Array };
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < weights.length; k++) {
        const at = ((first + k) * width + x) * 3;
        const w = weights[k] as number;
        r += (wide[at] as number) * w;
        g += (wide[at + 1] as number) * w;
        b += (wide[at + 2] as number) * w;
      }
      const out = (y * width + x) * 4;
      rgba[out] = Math.round(r);
      rgba[out + 1] = Math.round(g);
      rgba[out + 2] = Math.round(b);
      rgba[out + 3] = 255;
    }
  }
  return { width, height, rgba };
}

/** Renders one frame: the view's crop of `work`, bilinearly sampled into width × height. */
function frameAt(work: ClipImage, view: View, width: number, height: number): Uint8Array {
  const frame = new Uint8Array(width * height * 4);
  const cropW = work.width * view.scale;
  const cropH = work.height * view.scale;
  // Keep the window inside the image whatever the centre asked for.
  const left = Math.min(work.width - cropW, Math.max(0, view.x * work.width - cropW / 2));
  const top = Math.min(work.height - cropH, Math.max(0, view.y * work.height - cropH / 2));
  const stepX = cropW / width;
  const stepY = cropH / height;
  const px = work.rgba;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(work.height - 1.001, Math.max(0, top + (y + 0.5) * stepY - 0.5));
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(work.width - 1.001, Math.max(0, left + (x + 0.5) * stepX - 0.5));
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      const a = (y0 * work.width + x0) * 4;
      const b = a + 4;
      const c = a + work.width * 4;
      const d = c + 4;
      const out = (y * width + x) * 4;
      for (let k = 0; k < 3; k++) {
        const topRow = (px[a + k] as number) * (1 - fx) + (px[b + k] as number) * fx;
        const bottomRow = (px[c + k] as number) * (1 - fx) + (px[d + k] as number) * fx;
        frame[out + k] = Math.round(topRow * (1 - fy) + bottomRow * fy);
      }
      frame[out + 3] = 255;
    }
  }
  return frame;
}

/** Renders `seconds` of the camera `movement` over `image` as a looping animated GIF. */
export function renderClip(image: ClipImage, movement: string, seconds: number, opts: ClipOptions = {}): Buffer {
  const fps = opts.fps ?? 8;
  const width = Math.round(opts.outWidth ?? 384);
  if (!(seconds > 0 && seconds <= MAX_CLIP_SECONDS)) throw new RangeError(`clip length must be in (0, ${MAX_CLIP_SECONDS}] s`);
  if (!(fps > 0 && fps <= 50) || !(width >= 16 && width <= image.width)) throw new RangeError('invalid fps or outWidth');
  if (image.rgba.length !== image.width * image.height * 4) throw new RangeError('image is not width × height × 4 bytes');

  const height = Math.max(1, Math.round((width * image.height) / image.width));
  const workWidth = Math.min(image.width, Math.round(width * 1.5));
  const work =
    workWidth === image.width ? image : resizeArea(image, workWidth, Math.round((workWidth * image.height) / image.width));
  const count = Math.max(1, Math.round(seconds * fps));
  const frames = Array.from({ length: count }, (_, i) =>
    frameAt(work, viewAt(movement, count === 1 ? 0 : i / (count - 1)), width, height),
  );
  return encodeAnimatedGif(frames, width, height, 1000 / fps);
}
