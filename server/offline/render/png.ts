/**
 * A small PNG encoder (8-bit RGBA, no interlace) on node:zlib. Each row takes the
 * filter (None, Sub, Up, Average, Paeth) with the smallest sum of absolute bytes,
 * the usual heuristic, which keeps gradients small.
 */
// node:zlib's crc32 (Node >= 20.15) is the CRC-32 that PNG specifies.
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** The Paeth predictor of PNG filter type 4. */
export function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Filters one row with `type` into `out`; returns the sum of absolute (signed) bytes. */
function filterRow(type: number, rgba: Uint8Array, row: number, prev: number, stride: number, out: Uint8Array): number {
  let score = 0;
  const hasPrev = prev >= 0;
  for (let i = 0; i < stride; i++) {
    const x = rgba[row + i] as number;
    let predicted = 0;
    if (type !== 0) {
      const a = i >= 4 ? (rgba[row + i - 4] as number) : 0;
      const b = hasPrev ? (rgba[prev + i] as number) : 0;
      if (type === 1) predicted = a;
      else if (type === 2) predicted = b;
      else if (type === 3) predicted = (a + b) >> 1;
      else predicted = paeth(a, b, i >= 4 && hasPrev ? (rgba[prev + i - 4] as number) : 0);
    }
    const value = (x - predicted) & 0xff;
    out[i] = value;
    score += value < 128 ? value : 256 - value;
  }
  return score;
}

/** Filters all rows; each output row is its filter type byte followed by the filtered bytes. */
function filterRows(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const stride = width * 4;
  const out = new Uint8Array(height * (stride + 1));
  const candidates = [0, 1, 2, 3, 4].map(() => new Uint8Array(stride));
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const prev = y > 0 ? row - stride : -1;
    let bestType = 0;
    let bestScore = Infinity;
    for (let type = 0; type <= 4; type++) {
      const score = filterRow(type, rgba, row, prev, stride, candidates[type] as Uint8Array);
      if (score < bestScore) [bestType, bestScore] = [type, score];
    }
    out[y * (stride + 1)] = bestType;
    out.set(candidates[bestType] as Uint8Array, y * (stride + 1) + 1);
  }
  return out;
}

/** Encodes straight-alpha RGBA pixels (width × height × 4 bytes) as a PNG file. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`invalid PNG size ${width}x${height}`);
  }
  if (rgba.length !== width * height * 4) {
    throw new RangeError(`expected ${width * height * 4} RGBA bytes, got ${rgba.length}`);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  // Compression, filter method and interlace stay 0.
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(filterRows(width, height, rgba), { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
