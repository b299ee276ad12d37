/**
 * Turns a scene image into a short H.264 MP4 by moving a virtual camera over it with
 * ffmpeg's zoompan filter: pans and tilts slide a crop window, zooms scale it, a dolly
 * pushes in with acceleration, and "static" only breathes. Every move eases in and out
 * (smoothstep). The encoder runs as a child process, killed when `signal` aborts.
 */
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DETERMINISTIC, H264, runFfmpeg, withTempDir } from '../../media/ffmpeg.ts';

export interface ClipOptions {
  /** Frames per second. @default 24 */
  fps?: number;
  /** Clip width in pixels (even); the height keeps the image's aspect ratio. @default 640 */
  width?: number;
  signal: AbortSignal;
  /** 0..1 while the encoder works. */
  onProgress?: (fraction: number) => void;
}

/** Longest clip we render; a guard against a runaway request, not a product limit. */
export const MAX_CLIP_SECONDS = 30;

/** Where the camera looks, as ffmpeg expressions of the eased time `e` (and raw time `T`), 0..1. */
interface View {
  /** Centre, as fractions of the image. */
  x: string;
  y: string;
  /** Share of the image in view (1 = all of it). */
  scale: string;
}

function viewOf(movement: string): View {
  // Pans and tilts travel across a window 85% of the frame: the slide is visible, the text mostly stays.
  switch (movement) {
    case 'pan-right':
      return { x: '(0.425+0.15*E)', y: '0.5', scale: '0.85' };
    case 'pan-left':
      return { x: '(0.575-0.15*E)', y: '0.5', scale: '0.85' };
    case 'tilt-up':
      return { x: '0.5', y: '(0.575-0.15*E)', scale: '0.85' };
    case 'tilt-down':
      return { x: '0.5', y: '(0.425+0.15*E)', scale: '0.85' };
    case 'zoom-in':
      return { x: '0.5', y: '0.5', scale: '(1-0.22*E)' };
    case 'zoom-out':
      return { x: '0.5', y: '0.5', scale: '(0.78+0.22*E)' };
    case 'dolly-in':
      // A physical push: it accelerates, and drifts toward the upper middle where the subject sits.
      return { x: '0.5', y: '(0.5-0.08*T*T)', scale: '(0.95-0.25*T*T)' };
    default:
      return { x: '0.5', y: '0.5', scale: '(0.92-0.015*sin(2*PI*T))' };
  }
}

/** The zoompan filter for `frames` frames of `movement`, output `width`×`height`. */
export function zoompanFilter(movement: string, frames: number, width: number, height: number, fps: number): string {
  const T = frames > 1 ? `(on/${frames - 1})` : '0';
  const E = `(${T}*${T}*(3-2*${T}))`;
  const view = viewOf(movement);
  const expr = (s: string) => s.replaceAll('E', E).replaceAll('T', T);
  // The window's top-left corner, kept inside the image whatever the centre asked for.
  const corner = (centre: string, side: 'iw' | 'ih') => `max(0,min(${side}-${side}/zoom,${expr(centre)}*${side}-${side}/zoom/2))`;
  return `zoompan=z='1/${expr(view.scale)}':x='${corner(view.x, 'iw')}':y='${corner(view.y, 'ih')}':d=1:s=${width}x${height}:fps=${fps}`;
}

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** Renders `seconds` of the camera `movement` over `image` (PNG, or any image ffmpeg reads) as an MP4. */
export async function renderClip(image: Buffer, size: { width: number; height: number }, movement: string, seconds: number, opts: ClipOptions): Promise<Buffer> {
  const fps = opts.fps ?? 24;
  const width = even(opts.width ?? 640);
  if (!(seconds > 0 && seconds <= MAX_CLIP_SECONDS)) throw new RangeError(`clip length must be in (0, ${MAX_CLIP_SECONDS}] s`);
  if (!(fps > 0 && fps <= 60) || !(width >= 16 && width <= 4096)) throw new RangeError('invalid fps or width');
  const height = even((width * size.height) / size.width);
  const frames = Math.max(1, Math.round(seconds * fps));
  return withTempDir(async (dir) => {
    const input = join(dir, 'scene.img');
    const output = join(dir, 'clip.mp4');
    await writeFile(input, image);
    await runFfmpeg({
      args: ['-loop', '1', '-framerate', String(fps), '-i', input, '-vf', zoompanFilter(movement, frames, width, height, fps), '-frames:v', String(frames), '-r', String(fps), ...H264, ...DETERMINISTIC, '-an', output],
      signal: opts.signal,
      durationSeconds: seconds,
      onProgress: opts.onProgress,
    });
    return readFile(output);
  });
}
