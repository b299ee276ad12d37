/**
 * A minimal RGBA canvas and the few primitives the offline renderer draws with.
 * Pure arithmetic on a Uint8Array, so output is identical on every machine.
 */

export interface Canvas {
  width: number;
  height: number;
  /** width × height × 4 bytes, row-major, straight (not premultiplied) alpha. */
  rgba: Uint8Array;
}

export type Rgb = readonly [number, number, number];

export function createCanvas(width: number, height: number): Canvas {
  return { width, height, rgba: new Uint8Array(width * height * 4) };
}

/** Blends `color` over the pixel at (x, y) with opacity `alpha` in [0, 1]. */
export function blendPixel(canvas: Canvas, x: number, y: number, color: Rgb, alpha: number): void {
  if (x < 0 || y < 0 || x >= canvas.width || y >= canvas.height || alpha <= 0) return;
  const at = (y * canvas.width + x) * 4;
  const a = Math.min(1, alpha);
  const px = canvas.rgba;
  px[at] = Math.round((px[at] as number) * (1 - a) + color[0] * a);
  px[at + 1] = Math.round((px[at + 1] as number) * (1 - a) + color[1] * a);
  px[at + 2] = Math.round((px[at + 2] as number) * (1 - a) + color[2] * a);
  px[at + 3] = 255;
}

export function fillRect(canvas: Canvas, x: number, y: number, w: number, h: number, color: Rgb, alpha = 1): void {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(canvas.width, Math.round(x + w));
  const y1 = Math.min(canvas.height, Math.round(y + h));
  for (let py = y0; py < y1; py++) for (let px = x0; px < x1; px++) blendPixel(canvas, px, py, color, alpha);
}

/** A disc with a one-pixel soft edge. */
export function fillCircle(canvas: Canvas, cx: number, cy: number, r: number, color: Rgb, alpha = 1): void {
  for (let y = Math.floor(cy - r - 1); y <= Math.ceil(cy + r + 1); y++) {
    for (let x = Math.floor(cx - r - 1); x <= Math.ceil(cx + r + 1); x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      const cover = Math.max(0, Math.min(1, r - d + 0.5));
      if (cover > 0) blendPixel(canvas, x, y, color, alpha * cover);
    }
  }
}

/** Fills everything below the curve `top(x)` (a ridge line, a wave) down to the bottom edge. */
export function fillBelow(canvas: Canvas, top: (x: number) => number, color: Rgb, alpha = 1): void {
  for (let x = 0; x < canvas.width; x++) {
    const edge = top(x);
    const start = Math.max(0, Math.floor(edge));
    for (let y = start; y < canvas.height; y++) {
      const cover = y === start ? 1 - (edge - start) : 1;
      blendPixel(canvas, x, y, color, alpha * cover);
    }
  }
}

/** A triangle pointing up (a tree, a tent, a peak), apex at (cx, top). */
export function fillTriangle(canvas: Canvas, cx: number, top: number, halfBase: number, height: number, color: Rgb, alpha = 1): void {
  for (let y = Math.max(0, Math.floor(top)); y < Math.min(canvas.height, top + height); y++) {
    const half = ((y - top) / height) * halfBase;
    for (let x = Math.floor(cx - half); x <= Math.ceil(cx + half); x++) blendPixel(canvas, x, y, color, alpha);
  }
}

/** Mixes two colours; t = 0 gives `a`, t = 1 gives `b`. */
export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** HSL (h in degrees, s and l in [0, 1]) to RGB bytes. */
export function hsl(h: number, s: number, l: number): Rgb {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}
