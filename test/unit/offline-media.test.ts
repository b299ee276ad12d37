import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createCanvas } from '../../server/offline/render/canvas.ts';
import { defaultGlyphs, drawText, measureText, wrapText } from '../../server/offline/render/font.ts';
import { encodeAnimatedGif } from '../../server/offline/render/gif.ts';
import { encodePng } from '../../server/offline/render/png.ts';
import { renderClip } from '../../server/offline/render/render-clip.ts';
import { renderSceneImage, renderSceneRgba } from '../../server/offline/render/render-scene.ts';

interface Chunk {
  type: string;
  data: Buffer;
}

/** Walks a PNG, checking the signature and every chunk CRC (with zlib's own CRC-32). */
function readPng(png: Buffer): { chunks: Chunk[]; width: number; height: number; pixels: Uint8Array } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: Chunk[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(zlibCrc32(png.subarray(at + 4, at + 8 + length)));
    chunks.push({ type, data });
    at += 12 + length;
  }
  expect(chunks[0]!.type).toBe('IHDR');
  expect(chunks.at(-1)!.type).toBe('IEND');
  const ihdr = chunks[0]!.data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  expect([...ihdr.subarray(8)]).toEqual([8, 6, 0, 0, 0]);
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  expect(raw.length).toBe(height * (1 + width * 4));
  return { chunks, width, height, pixels: unfilter(raw, width, height) };
}

/** Undoes PNG row filters, so the test checks pixels, not only structure. */
function unfilter(raw: Uint8Array, width: number, height: number): Uint8Array {
  const stride = width * 4;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const type = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= 4 ? out[y * stride + i - 4]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + i]! : 0;
      const c = i >= 4 && y > 0 ? out[(y - 1) * stride + i - 4]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][type]!;
      out[y * stride + i] = (x + predicted) & 0xff;
    }
  }
  return out;
}

interface GifFrame {
  delay: number;
  indices: Uint8Array;
}

/** Walks a GIF's blocks and LZW-decodes each frame. */
function readGif(gif: Buffer) {
  expect(gif.toString('latin1', 0, 6)).toBe('GIF89a');
  const width = gif.readUInt16LE(6);
  const height = gif.readUInt16LE(8);
  const packed = gif[10]!;
  const tableSize = packed & 0x80 ? 3 * 2 ** ((packed & 7) + 1) : 0;
  const palette = gif.subarray(13, 13 + tableSize);
  let at = 13 + tableSize;
  let loops = false;
  let delay = 0;
  const frames: GifFrame[] = [];
  const readSubBlocks = (): Buffer => {
    const parts: Buffer[] = [];
    while (gif[at] !== 0) {
      parts.push(gif.subarray(at + 1, at + 1 + gif[at]!));
      at += 1 + gif[at]!;
    }
    at++;
    return Buffer.concat(parts);
  };
  for (;;) {
    const block = gif[at++];
    if (block === 0x3b) break;
    if (block === 0x21) {
      const label = gif[at++];
      const body = readSubBlocks();
      if (label === 0xff && body.toString('latin1', 0, 11) === 'NETSCAPE2.0') loops = true;
      if (label === 0xf9) delay = body.readUInt16LE(1);
    } else if (block === 0x2c) {
      const w = gif.readUInt16LE(at + 4);
      const h = gif.readUInt16LE(at + 6);
      at += 9;
      const minCodeSize = gif[at++]!;
      frames.push({ delay, indices: lzwDecode(readSubBlocks(), minCodeSize, w * h) });
    } else {
      throw new Error(`unexpected GIF block 0x${block?.toString(16)}`);
    }
  }
  return { width, height, palette, loops, frames };
}

function lzwDecode(data: Buffer, minCodeSize: number, pixels: number): Uint8Array {
  const clear = 1 << minCodeSize;
  const out = new Uint8Array(pixels);
  let length = 0;
  let size = minCodeSize + 1;
  let dict: number[][] = [];
  let previous: number[] | undefined;
  let bit = 0;
  const reset = () => {
    dict = Array.from({ length: clear + 2 }, (_, i) => [i]);
    size = minCodeSize + 1;
    previous = undefined;
  };
  reset();
  while (bit + size <= data.length * 8) {
    let code = 0;
    for (let k = 0; k < size; k++, bit++) code |= ((data[bit >> 3]! >> (bit & 7)) & 1) << k;
    if (code === clear) {
      reset();
      continue;
    }
    if (code === clear + 1) break;
    const entry = code < dict.length ? dict[code]! : [...previous!, previous![0]!];
    if (previous) dict.push([...previous, entry[0]!]);
    for (const value of entry) out[length++] = value;
    previous = entry;
    if (dict.length === 1 << size && size < 12) size++;
  }
  expect(length).toBe(pixels);
  return out;
}

const EN_SCENE = { index: 0, narration: 'The lighthouse keeper found a message in a bottle on the beach at dawn.', visualPrompt: 'Wide shot of the lighthouse and the bottle, soft morning light' };
const ZH_SCENE = { index: 1, narration: '一只想飞的猫，在月光下的屋顶上望着星星。它想：“总有一天，我也能飞上天空。”', visualPrompt: '远景：猫、屋顶与星星，月光下，幽蓝的阴影' };

describe('encodePng', () => {
  it('writes a valid PNG whose pixels decode back exactly', () => {
    const width = 7;
    const height = 5;
    const rgba = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 37 + (i >> 3) * 11) & 0xff);
    const { width: w, height: h, pixels } = readPng(encodePng(width, height, rgba));
    expect([w, h]).toEqual([width, height]);
    expect(Buffer.from(pixels).equals(Buffer.from(rgba))).toBe(true);
  });
});

describe('font', () => {
  it('has ASCII, CJK ideographs and CJK punctuation, and boxes what it lacks', () => {
    const glyphs = defaultGlyphs();
    expect(glyphs.glyph('A'.codePointAt(0)!)!.width).toBe(8);
    expect(glyphs.glyph('中'.codePointAt(0)!)!.width).toBe(16);
    expect(glyphs.glyph('。'.codePointAt(0)!)!.bits.some(Boolean)).toBe(true);
    expect(glyphs.glyph('𠀀'.codePointAt(0)!)).toBeUndefined();
    const canvas = createCanvas(64, 20);
    drawText(canvas, 'A𠀀中', 0, 0, 1, [255, 255, 255]);
    expect(canvas.rgba.some((value, i) => i % 4 === 0 && value === 255)).toBe(true);
    expect(measureText('A𠀀中')).toBe(8 + 16 + 16);
  });

  it('wraps English per word and Chinese per character, without closing punctuation first', () => {
    expect(wrapText('the quick brown fox', 8 * 10)).toEqual(['the quick', 'brown fox']);
    const lines = wrapText('一只想飞的猫，在月光下的屋顶上。', 16 * 6);
    expect(lines.join('')).toBe('一只想飞的猫，在月光下的屋顶上。');
    for (const line of lines) expect(line).not.toMatch(/^[，。]/u);
  });
});

describe('renderSceneImage', () => {
  it('renders each size as a valid PNG, deterministically, distinct per scene', () => {
    for (const size of ['1024x1024', '1536x1024', '1024x1536'] as const) {
      const { width, height } = readPng(renderSceneImage(EN_SCENE, size));
      expect(`${width}x${height}`).toBe(size);
    }
    expect(renderSceneImage(ZH_SCENE, '1024x1024').equals(renderSceneImage(ZH_SCENE, '1024x1024'))).toBe(true);
    expect(renderSceneImage(EN_SCENE, '1024x1024').equals(renderSceneImage(ZH_SCENE, '1024x1024'))).toBe(false);
    expect(renderSceneImage(ZH_SCENE, '1024x1024').equals(renderSceneImage({ ...ZH_SCENE, index: 2 }, '1024x1024'))).toBe(false);
  });

  it('returns the same pixels as RGBA that it encodes', () => {
    const canvas = renderSceneRgba(ZH_SCENE, '1024x1024');
    // Buffer comparison: a deep equal of 4 MB typed arrays takes seconds.
    expect(Buffer.from(readPng(renderSceneImage(ZH_SCENE, '1024x1024')).pixels).equals(Buffer.from(canvas.rgba))).toBe(true);
  });
});

describe('encodeAnimatedGif', () => {
  it('writes a looping GIF89a whose frames decode to the nearest palette colours', () => {
    const width = 20;
    const height = 10;
    const frames = [0, 1, 2].map((f) =>
      Uint8Array.from({ length: width * height * 4 }, (_, i) => (i % 4 === 3 ? 255 : ((i >> 2) * 9 + f * 60 + (i % 4) * 80) & 0xff)),
    );
    const gif = readGif(encodeAnimatedGif(frames, width, height, 125));
    expect([gif.width, gif.height, gif.loops]).toEqual([width, height, true]);
    expect(gif.frames.map((frame) => frame.delay)).toEqual([13, 12, 13]);
    gif.frames.forEach((frame, f) => {
      frame.indices.forEach((index, p) => {
        for (let c = 0; c < 3; c++) expect(Math.abs(gif.palette[index * 3 + c]! - frames[f]![p * 4 + c]!)).toBeLessThanOrEqual(24);
      });
    });
    expect(readGif(encodeAnimatedGif(frames, width, height, 100, false)).loops).toBe(false);
  });
});

describe('renderClip', () => {
  const image = renderSceneRgba(ZH_SCENE, '1024x1024');

  it('renders seconds × fps frames of a small looping GIF, deterministically', () => {
    const clip = renderClip(image, 'pan-right', 4);
    const gif = readGif(clip);
    expect(gif.frames).toHaveLength(32);
    expect([gif.width, gif.height, gif.loops]).toEqual([384, 384, true]);
    expect(clip.length).toBeLessThan(2_000_000);
    expect(renderClip(image, 'pan-right', 4).equals(clip)).toBe(true);
    // The camera moves: first and last frames differ.
    expect(Buffer.from(gif.frames[0]!.indices).equals(Buffer.from(gif.frames[31]!.indices))).toBe(false);
  });

  it('handles every movement, an unknown one, other fps and wide images', () => {
    for (const movement of ['pan-left', 'tilt-up', 'tilt-down', 'zoom-in', 'zoom-out', 'dolly-in', 'static', 'spin']) {
      expect(readGif(renderClip(image, movement, 1, { fps: 4, outWidth: 128 })).frames).toHaveLength(4);
    }
    const wide = renderSceneRgba(EN_SCENE, '1536x1024');
    const gif = readGif(renderClip(wide, 'zoom-in', 2, { fps: 5, outWidth: 192 }));
    expect([gif.width, gif.height, gif.frames.length]).toEqual([192, 128, 10]);
  });
});
