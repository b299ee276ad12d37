import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../server/offline/render/png.ts';
import { decodePng } from '../../server/offline/render/png-decode.ts';
import { renderSceneImage } from '../../server/offline/render/render-scene.ts';

describe('decodePng', () => {
  it('reads back what encodePng wrote, pixel for pixel', () => {
    const rgba = new Uint8Array(7 * 5 * 4).map((_, i) => (i * 37) % 256);
    const decoded = decodePng(encodePng(7, 5, rgba));
    expect(decoded).toMatchObject({ width: 7, height: 5 });
    expect(Buffer.from(decoded.rgba).equals(Buffer.from(rgba))).toBe(true);
  });

  it('reads an RGB image written with every filter type (as image models emit)', () => {
    const width = 3;
    const rows = [0, 1, 2, 3, 4].map((filter) => [filter, ...Array.from({ length: width * 3 }, (_, i) => (i * 11 + filter) % 256)]);
    const chunk = (type: string, body: Buffer) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(body.length);
      head.write(type, 4, 'latin1');
      return Buffer.concat([head, body, Buffer.alloc(4)]); // the decoder does not check CRCs
    };
    const ihdr = Buffer.from([0, 0, 0, width, 0, 0, 0, rows.length, 8, 2, 0, 0, 0]);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from(rows.flat()))), chunk('IEND', Buffer.alloc(0))]);
    const decoded = decodePng(png);
    expect(decoded.width).toBe(3);
    expect(decoded.rgba[3]).toBe(255);
    // Row 0 is unfiltered: its first pixel is the raw bytes.
    expect([...decoded.rgba.subarray(0, 3)]).toEqual([0, 11, 22]);
    // Row 2 (Up) adds the row above: (0+2)... byte 0 = raw 2 + above (row 1, pixel 0 red).
    expect(decoded.rgba[width * 4 * 2]).toBe((2 + decoded.rgba[width * 4]) % 256);
  });

  it('reads a rendered scene image', () => {
    const decoded = decodePng(renderSceneImage({ index: 0, narration: '雪夜', visualPrompt: 'snow' }, '1024x1536'));
    expect(decoded).toMatchObject({ width: 1024, height: 1536 });
  });
});
