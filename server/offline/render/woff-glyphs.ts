/**
 * Reads glyphs out of a WOFF (1.0) font holding TrueType outlines and turns each
 * into a bitmap at the font's pixel grid. Written for UnifontEX, whose outlines are
 * unions of 16-per-em pixel squares, so sampling pixel centres reproduces the
 * original bitmap glyph exactly. Only what that needs is implemented: cmap formats
 * 4 and 12, loca/glyf with simple and offset-only composite glyphs, hmtx advances.
 */
import { inflateSync } from 'node:zlib';

export interface GlyphBitmap {
  /** Advance in pixels (8 for half-width, 16 for full-width in Unifont). */
  width: number;
  height: number;
  /** width × height, 1 where ink is. */
  bits: Uint8Array;
}

export interface GlyphSource {
  /** Pixel rows in a line: ascent + descent at the font's grid. */
  readonly lineHeight: number;
  /** The glyph for a code point, or undefined when the font has none. */
  glyph(codePoint: number): GlyphBitmap | undefined;
}

/** Thrown for a file that is not a WOFF 1.0 font with TrueType outlines. */
export class FontFormatError extends Error {
  override name = 'FontFormatError';
}

type Point = [number, number];

function readTables(woff: Buffer): Map<string, Buffer> {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') throw new FontFormatError('not a WOFF 1.0 font');
  const tables = new Map<string, Buffer>();
  const count = woff.readUInt16BE(12);
  for (let i = 0; i < count; i++) {
    const entry = 44 + i * 20;
    const tag = woff.toString('latin1', entry, entry + 4);
    const offset = woff.readUInt32BE(entry + 4);
    const compressed = woff.readUInt32BE(entry + 8);
    const original = woff.readUInt32BE(entry + 12);
    const raw = woff.subarray(offset, offset + compressed);
    tables.set(tag, compressed < original ? inflateSync(raw) : raw);
  }
  for (const tag of ['head', 'hhea', 'hmtx', 'cmap', 'loca', 'glyf']) {
    if (!tables.has(tag)) throw new FontFormatError(`font has no ${tag} table`);
  }
  return tables;
}

/** Builds a code point → glyph index lookup from the best Unicode cmap subtable. */
function cmapLookup(cmap: Buffer): (codePoint: number) => number {
  const subtables = new Map<string, number>();
  for (let i = 0; i < cmap.readUInt16BE(2); i++) {
    const at = 4 + i * 8;
    subtables.set(`${cmap.readUInt16BE(at)}/${cmap.readUInt16BE(at + 2)}`, cmap.readUInt32BE(at + 4));
  }
  const full = subtables.get('3/10') ?? subtables.get('0/4');
  if (full !== undefined && cmap.readUInt16BE(full) === 12) {
    const groups = cmap.readUInt32BE(full + 12);
    return (cp) => {
      let lo = 0;
      let hi = groups - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const at = full + 16 + mid * 12;
        if (cp < cmap.readUInt32BE(at)) hi = mid - 1;
        else if (cp > cmap.readUInt32BE(at + 4)) lo = mid + 1;
        else return cmap.readUInt32BE(at + 8) + cp - cmap.readUInt32BE(at);
      }
      return 0;
    };
  }
  const bmp = subtables.get('3/1') ?? subtables.get('0/3');
  if (bmp === undefined || cmap.readUInt16BE(bmp) !== 4) throw new FontFormatError('no usable cmap');
  const segments = cmap.readUInt16BE(bmp + 6) / 2;
  const ends = bmp + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const ranges = deltas + segments * 2;
  return (cp) => {
    if (cp > 0xffff) return 0;
    for (let s = 0; s < segments; s++) {
      if (cp > cmap.readUInt16BE(ends + s * 2)) continue;
      const start = cmap.readUInt16BE(starts + s * 2);
      if (cp < start) return 0;
      const delta = cmap.readInt16BE(deltas + s * 2);
      const range = cmap.readUInt16BE(ranges + s * 2);
      if (range === 0) return (cp + delta) & 0xffff;
      const glyph = cmap.readUInt16BE(ranges + s * 2 + range + (cp - start) * 2);
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}

/** Closed contours of a glyph as polygons in font units (quadratic curves flattened). */
function outline(glyf: Buffer, loca: (i: number) => [number, number], index: number, depth = 0): Point[][] {
  const [start, end] = loca(index);
  if (end <= start || depth > 4) return [];
  const contours = glyf.readInt16BE(start);
  if (contours < 0) return composite(glyf, loca, start + 10, depth);

  const endPoints: number[] = [];
  for (let c = 0; c < contours; c++) endPoints.push(glyf.readUInt16BE(start + 10 + c * 2));
  const pointCount = (endPoints[contours - 1] ?? -1) + 1;
  let at = start + 10 + contours * 2;
  at += 2 + glyf.readUInt16BE(at);
  const flags: number[] = [];
  while (flags.length < pointCount) {
    const flag = glyf.readUInt8(at++);
    flags.push(flag);
    if (flag & 8) for (let r = glyf.readUInt8(at++); r > 0; r--) flags.push(flag);
  }
  const coordinates = (shortBit: number, sameBit: number): number[] => {
    const values: number[] = [];
    let value = 0;
    for (const flag of flags) {
      if (flag & shortBit) value += (flag & sameBit ? 1 : -1) * glyf.readUInt8(at++);
      else if (!(flag & sameBit)) {
        value += glyf.readInt16BE(at);
        at += 2;
      }
      values.push(value);
    }
    return values;
  };
  const xs = coordinates(2, 16);
  const ys = coordinates(4, 32);

  const polygons: Point[][] = [];
  let first = 0;
  for (const last of endPoints) {
    const points = Array.from({ length: last - first + 1 }, (_, k) => ({
      x: xs[first + k] as number,
      y: ys[first + k] as number,
      on: ((flags[first + k] as number) & 1) === 1,
    }));
    polygons.push(flatten(points));
    first = last + 1;
  }
  return polygons;
}

function composite(glyf: Buffer, loca: (i: number) => [number, number], at: number, depth: number): Point[][] {
  const polygons: Point[][] = [];
  for (;;) {
    const flags = glyf.readUInt16BE(at);
    const component = glyf.readUInt16BE(at + 2);
    const words = flags & 1;
    const dx = words ? glyf.readInt16BE(at + 4) : glyf.readInt8(at + 4);
    const dy = words ? glyf.readInt16BE(at + 6) : glyf.readInt8(at + 5);
    at += words ? 8 : 6;
    at += flags & 8 ? 2 : flags & 0x40 ? 4 : flags & 0x80 ? 8 : 0;
    // Scaled components and point-matched anchors do not occur in pixel fonts; offsets do.
    const offset = flags & 2 ? [dx, dy] : [0, 0];
    for (const polygon of outline(glyf, loca, component, depth + 1)) {
      polygons.push(polygon.map(([x, y]) => [x + (offset[0] as number), y + (offset[1] as number)]));
    }
    if (!(flags & 0x20)) return polygons;
  }
}

/** Turns a TrueType contour (on/off-curve points) into a polygon. */
function flatten(points: Array<{ x: number; y: number; on: boolean }>): Point[] {
  if (points.every((p) => p.on)) return points.map((p) => [p.x, p.y]);
  const polygon: Point[] = [];
  const n = points.length;
  const startIndex = points.findIndex((p) => p.on);
  const at = (i: number) => points[(i + n) % n] as { x: number; y: number; on: boolean };
  let current: Point =
    startIndex >= 0 ? [at(startIndex).x, at(startIndex).y] : [(at(0).x + at(1).x) / 2, (at(0).y + at(1).y) / 2];
  const base = startIndex >= 0 ? startIndex : 0;
  polygon.push(current);
  for (let k = 1; k <= n; k++) {
    const p = at(base + k);
    if (p.on) {
      current = [p.x, p.y];
      polygon.push(current);
      continue;
    }
    const next = at(base + k + 1);
    const endPoint: Point = next.on ? [next.x, next.y] : [(p.x + next.x) / 2, (p.y + next.y) / 2];
    for (let t = 0.25; t <= 1; t += 0.25) {
      const u = 1 - t;
      polygon.push([
        u * u * current[0] + 2 * u * t * p.x + t * t * endPoint[0],
        u * u * current[1] + 2 * u * t * p.y + t * t * endPoint[1],
      ]);
    }
    current = endPoint;
    if (next.on) k++;
  }
  return polygon;
}

/** Fills polygons with the non-zero rule, sampling each pixel at its centre. */
function rasterise(polygons: Point[][], width: number, height: number, unit: number, ascent: number): Uint8Array {
  const bits = new Uint8Array(width * height);
  for (let row = 0; row < height; row++) {
    const y = ascent - (row + 0.5) * unit;
    const crossings: Array<{ x: number; dir: number }> = [];
    for (const polygon of polygons) {
      for (let i = 0; i < polygon.length; i++) {
        const [x0, y0] = polygon[i] as Point;
        const [x1, y1] = polygon[(i + 1) % polygon.length] as Point;
        if (y0 === y1 || y < Math.min(y0, y1) || y >= Math.max(y0, y1)) continue;
        crossings.push({ x: x0 + ((y - y0) / (y1 - y0)) * (x1 - x0), dir: y1 > y0 ? 1 : -1 });
      }
    }
    crossings.sort((a, b) => a.x - b.x);
    let winding = 0;
    for (let i = 0; i < crossings.length - 1; i++) {
      winding += (crossings[i] as { dir: number }).dir;
      if (winding === 0) continue;
      const from = Math.max(0, Math.ceil((crossings[i] as { x: number }).x / unit - 0.5));
      const to = Math.min(width - 1, Math.floor((crossings[i + 1] as { x: number }).x / unit - 0.5));
      for (let col = from; col <= to; col++) bits[row * width + col] = 1;
    }
  }
  return bits;
}

/**
 * Opens a WOFF font whose outlines sit on a pixel grid of `pixelsPerEm`.
 * Glyphs are rasterised on first use and cached.
 */
export function openWoffGlyphs(woff: Buffer, pixelsPerEm = 16): GlyphSource {
  const tables = readTables(woff);
  const head = tables.get('head') as Buffer;
  const hhea = tables.get('hhea') as Buffer;
  const hmtx = tables.get('hmtx') as Buffer;
  const loca = tables.get('loca') as Buffer;
  const glyf = tables.get('glyf') as Buffer;
  const unit = head.readUInt16BE(18) / pixelsPerEm;
  const longOffsets = head.readInt16BE(50) === 1;
  const ascent = hhea.readInt16BE(4);
  const descent = -hhea.readInt16BE(6);
  const metrics = hhea.readUInt16BE(34);
  const lineHeight = Math.round((ascent + descent) / unit);
  const lookup = cmapLookup(tables.get('cmap') as Buffer);
  const locate = (i: number): [number, number] =>
    longOffsets ? [loca.readUInt32BE(i * 4), loca.readUInt32BE(i * 4 + 4)] : [loca.readUInt16BE(i * 2) * 2, loca.readUInt16BE(i * 2 + 2) * 2];
  const cache = new Map<number, GlyphBitmap | undefined>();

  return {
    lineHeight,
    glyph(codePoint) {
      if (cache.has(codePoint)) return cache.get(codePoint);
      const index = lookup(codePoint);
      let bitmap: GlyphBitmap | undefined;
      if (index !== 0) {
        const advance = hmtx.readUInt16BE(Math.min(index, metrics - 1) * 4);
        const width = Math.max(1, Math.round(advance / unit));
        const bits = rasterise(outline(glyf, locate, index), width, lineHeight, unit, ascent);
        bitmap = { width, height: lineHeight, bits };
      }
      cache.set(codePoint, bitmap);
      return bitmap;
    },
  };
}
