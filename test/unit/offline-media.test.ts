import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createCanvas } from '../../server/offline/render/canvas.ts';
import { defaultGlyphs, drawText, measureText, wrapText } from '../../server/offline/render/font.ts';
import { encodePng } from '../../server/offline/render/png.ts';
import { renderClip } from '../../server/offline/render/render-clip.ts';
import { renderSceneImage, renderSceneRgba } from '../../server/offline/render/render-scene.ts';
import { frameOf, probe } from '../helpers/ffprobe.ts';

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

describe('renderClip', () => {
  const image = renderSceneImage(ZH_SCENE, '1024x1024');
  const square = { width: 1024, height: 1024 };
  const signal = new AbortController().signal;

  it('renders an H.264 MP4 of seconds × fps frames, byte for byte the same each time', async () => {
    const clip = await renderClip(image, square, 'pan-right', 2, { width: 160, signal });
    const probed = await probe(clip);
    expect(probed.formatName).toContain('mp4');
    expect(probed.streams).toHaveLength(1);
    expect(probed.streams[0]).toMatchObject({ codec_type: 'video', codec_name: 'h264', width: 160, height: 160, nb_frames: '48' });
    expect(probed.durationSeconds).toBeCloseTo(2, 1);
    expect((await renderClip(image, square, 'pan-right', 2, { width: 160, signal })).equals(clip)).toBe(true);
    // The camera moves: the first and last frames differ.
    expect((await frameOf(clip, 0)).equals(await frameOf(clip, 47))).toBe(false);
  });

  it('handles every movement, an unknown one, and wide images', async () => {
    for (const movement of ['pan-left', 'tilt-up', 'tilt-down', 'zoom-in', 'zoom-out', 'dolly-in', 'static', 'spin']) {
      const probed = await probe(await renderClip(image, square, movement, 0.5, { width: 64, fps: 8, signal }));
      expect(probed.streams[0]!.nb_frames).toBe('4');
    }
    const wide = renderSceneImage(EN_SCENE, '1536x1024');
    const probed = await probe(await renderClip(wide, { width: 1536, height: 1024 }, 'zoom-in', 1, { width: 192, signal }));
    expect([probed.streams[0]!.width, probed.streams[0]!.height]).toEqual([192, 128]);
  });

  it('stops the encoder when the signal aborts', async () => {
    const controller = new AbortController();
    const clip = renderClip(image, square, 'zoom-in', 30, { width: 1024, signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await expect(clip).rejects.toThrow('aborted');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
