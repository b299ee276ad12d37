/**
 * An animated GIF89a encoder: one global palette made by median cut over samples of
 * all frames (the frames of a clip are views of one picture, so they share colours
 * well), nearest-colour mapping cached per 15-bit colour, our own LZW, and the
 * NETSCAPE2.0 extension so browsers loop the clip.
 */

type Box = { lo: [number, number, number]; hi: [number, number, number]; colors: number[] };

const channel = (color: number, c: number): number => (color >> (10 - c * 5)) & 31;

/** Up to 256 colours (as 15-bit keys' averages) that cover the sampled pixels. */
function medianCut(histogram: Uint32Array): Array<[number, number, number]> {
  const present: number[] = [];
  histogram.forEach((count, color) => count > 0 && present.push(color));
  const boxOf = (colors: number[]): Box => {
    const lo: [number, number, number] = [31, 31, 31];
    const hi: [number, number, number] = [0, 0, 0];
    for (const color of colors) {
      for (let c = 0; c < 3; c++) {
        lo[c] = Math.min(lo[c] as number, channel(color, c));
        hi[c] = Math.max(hi[c] as number, channel(color, c));
      }
    }
    return { lo, hi, colors };
  };
  const weight = (box: Box) => box.colors.reduce((sum, color) => sum + (histogram[color] as number), 0);
  const boxes: Box[] = present.length > 0 ? [boxOf(present)] : [];
  while (boxes.length < 256) {
    // Split the box with the widest spread, weighted by how many pixels it holds.
    let target = -1;
    let targetScore = 0;
    boxes.forEach((box, i) => {
      const spread = Math.max(...box.hi.map((h, c) => h - (box.lo[c] as number)));
      const score = spread * Math.sqrt(weight(box));
      if (box.colors.length > 1 && score > targetScore) [target, targetScore] = [i, score];
    });
    if (target === -1) break;
    const box = boxes[target] as Box;
    const spreads = box.hi.map((h, c) => h - (box.lo[c] as number));
    const axis = spreads.indexOf(Math.max(...spreads));
    const sorted = [...box.colors].sort((a, b) => channel(a, axis) - channel(b, axis) || a - b);
    const half = weight(box) / 2;
    let running = 0;
    let cut = 1;
    for (; cut < sorted.length - 1; cut++) {
      running += histogram[sorted[cut - 1] as number] as number;
      if (running >= half) break;
    }
    boxes.splice(target, 1, boxOf(sorted.slice(0, cut)), boxOf(sorted.slice(cut)));
  }
  return boxes.map((box) => {
    const sum = [0, 0, 0];
    let total = 0;
    for (const color of box.colors) {
      const n = histogram[color] as number;
      for (let c = 0; c < 3; c++) sum[c] = (sum[c] as number) + ((channel(color, c) << 3) | 4) * n;
      total += n;
    }
    return sum.map((s) => Math.round(s / total)) as [number, number, number];
  });
}

function buildPalette(frames: readonly Uint8Array[]): { palette: Array<[number, number, number]>; index: (r: number, g: number, b: number) => number } {
  const histogram = new Uint32Array(32768);
  const pixels = frames.reduce((sum, frame) => sum + frame.length / 4, 0);
  const step = Math.max(1, Math.floor(pixels / 200_000));
  for (const frame of frames) {
    for (let p = 0; p < frame.length; p += 4 * step) {
      histogram[((frame[p] as number) >> 3 << 10) | ((frame[p + 1] as number) >> 3 << 5) | ((frame[p + 2] as number) >> 3)]! += 1;
    }
  }
  const palette = medianCut(histogram);
  if (palette.length === 0) palette.push([0, 0, 0]);
  const nearest = new Int16Array(32768).fill(-1);
  const index = (r: number, g: number, b: number): number => {
    const key = (r >> 3 << 10) | (g >> 3 << 5) | (b >> 3);
    let found = nearest[key] as number;
    if (found >= 0) return found;
    let best = Infinity;
    palette.forEach(([pr, pg, pb], i) => {
      const d = (pr - r) ** 2 * 3 + (pg - g) ** 2 * 4 + (pb - b) ** 2 * 2;
      if (d < best) [best, found] = [d, i];
    });
    nearest[key] = found;
    return found;
  };
  return { palette, index };
}

/** Collects LZW codes of varying width, least significant bit first, into bytes. */
function createBitWriter() {
  let bytes = new Uint8Array(1 << 16);
  let length = 0;
  let acc = 0;
  let bits = 0;
  const pushByte = (byte: number) => {
    if (length === bytes.length) {
      const grown = new Uint8Array(bytes.length * 2);
      grown.set(bytes);
      bytes = grown;
    }
    bytes[length++] = byte;
  };
  return {
    write(code: number, size: number) {
      acc |= code << bits;
      bits += size;
      while (bits >= 8) {
        pushByte(acc & 0xff);
        acc >>>= 8;
        bits -= 8;
      }
    },
    finish(): Uint8Array {
      if (bits > 0) pushByte(acc & 0xff);
      return bytes.subarray(0, length);
    },
  };
}

/** GIF LZW with 8-bit symbols; `stamp` marks which table entries belong to the current dictionary. */
function lzw(indices: Uint8Array, table: Int16Array, stamp: Uint32Array, generation: { value: number }): Uint8Array {
  const clear = 256;
  const end = 257;
  const out = createBitWriter();
  let next = 258;
  let size = 9;
  generation.value++;
  out.write(clear, size);
  let prefix = indices[0] as number;
  for (let i = 1; i < indices.length; i++) {
    const k = indices[i] as number;
    const key = (prefix << 8) | k;
    if (stamp[key] === generation.value) {
      prefix = table[key] as number;
      continue;
    }
    out.write(prefix, size);
    if (next === 4096) {
      out.write(clear, size);
      next = 258;
      size = 9;
      generation.value++;
    } else {
      if (next >= 1 << size) size++;
      table[key] = next++;
      stamp[key] = generation.value;
    }
    prefix = k;
  }
  out.write(prefix, size);
  out.write(end, size);
  return out.finish();
}

/** Splits image data into the 255-byte sub-blocks GIF requires, with the terminator. */
function subBlocks(data: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += 255) {
    const piece = data.subarray(at, at + 255);
    parts.push(Buffer.from([piece.length]), Buffer.from(piece));
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

const u16 = (value: number): number[] => [value & 0xff, (value >> 8) & 0xff];

/**
 * Encodes RGBA frames (each width × height × 4 bytes) as an animated GIF shown for
 * `delayMs` per frame. Delays are kept in whole centiseconds without drift: 125 ms
 * frames alternate 12 and 13 cs.
 */
export function encodeAnimatedGif(frames: readonly Uint8Array[], width: number, height: number, delayMs: number, loop = true): Buffer {
  if (frames.length === 0) throw new RangeError('a GIF needs at least one frame');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 65535 || height > 65535) {
    throw new RangeError(`invalid GIF size ${width}x${height}`);
  }
  for (const frame of frames) {
    if (frame.length !== width * height * 4) throw new RangeError('every frame must be width × height × 4 bytes');
  }
  const { palette, index } = buildPalette(frames);
  const colorTable = Buffer.alloc(256 * 3);
  palette.forEach(([r, g, b], i) => colorTable.set([r, g, b], i * 3));

  const parts: Buffer[] = [
    Buffer.from('GIF89a', 'latin1'),
    // Logical screen: global 256-colour table (0xf7), background 0, square pixels.
    Buffer.from([...u16(width), ...u16(height), 0xf7, 0, 0]),
    colorTable,
  ];
  if (loop) parts.push(Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0', 'latin1'), 0x03, 0x01, 0, 0, 0]));

  const table = new Int16Array(1 << 20);
  const stamp = new Uint32Array(1 << 20);
  const generation = { value: 0 };
  const indices = new Uint8Array(width * height);
  frames.forEach((frame, f) => {
    const delay = Math.max(2, Math.round(((f + 1) * delayMs) / 10) - Math.round((f * delayMs) / 10));
    // Graphic control: disposal "leave in place", no transparency.
    parts.push(Buffer.from([0x21, 0xf9, 0x04, 0x04, ...u16(delay), 0, 0]));
    parts.push(Buffer.from([0x2c, 0, 0, 0, 0, ...u16(width), ...u16(height), 0]));
    for (let p = 0; p < indices.length; p++) {
      indices[p] = index(frame[p * 4] as number, frame[p * 4 + 1] as number, frame[p * 4 + 2] as number);
    }
    parts.push(Buffer.from([8]), subBlocks(lzw(indices, table, stamp, generation)));
  });
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
}
