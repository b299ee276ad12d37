// Tiny, honest media for the fake OpenAI server: a solid-colour PNG for images and a
// small animated GIF for "videos". Written here rather than borrowed from server/media,
// so a bug in the code under test cannot hide behind the fake that tests it.
import { crc32, deflateSync } from 'node:zlib';

export type Rgb = readonly [r: number, g: number, b: number];

/** A deterministic colour for a text (its CRC-32 split into three bytes). */
export function colourOf(text: string): Rgb {
  const h = crc32(Buffer.from(text, 'utf8'));
  return [(h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  // node:zlib's crc32 (Node >= 20.15) is the same CRC-32 that PNG specifies.
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An 8-bit RGB PNG of one colour (filter 0 on every row). */
export function solidPng(width: number, height: number, [r, g, b]: Rgb): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, filter 0, no interlace
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set([r, g, b], 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

/**
 * GIF LZW data for 2-bit pixel indices. A clear code before every pixel keeps the code
 * width at 3 bits and the table empty: large, but trivially correct for any decoder.
 */
function lzwNoCompression(indices: Uint8Array): Buffer {
  const CLEAR = 4;
  const END = 5;
  const codes = [...Array.from(indices, (i) => [CLEAR, i]).flat(), END];
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const code of codes) {
    acc |= code << bits; // GIF packs codes least-significant bit first
    bits += 3;
    while (bits >= 8) {
      bytes.push(acc & 0xff);
      acc >>>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) bytes.push(acc & 0xff);
  const blocks: number[] = [2]; // LZW minimum code size
  for (let at = 0; at < bytes.length; at += 255) {
    const block = bytes.slice(at, at + 255);
    blocks.push(block.length, ...block);
  }
  blocks.push(0);
  return Buffer.from(blocks);
}

/** A looping GIF89a: one solid frame per colour (at most 4), `delayCs` hundredths of a second each. */
export function animatedGif(width: number, height: number, colours: readonly Rgb[], delayCs = 10): Buffer {
  if (colours.length < 1 || colours.length > 4) throw new RangeError('animatedGif takes 1 to 4 colours');
  const u16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
  const palette = [0, 1, 2, 3].flatMap((i) => [...(colours[i] ?? [0, 0, 0])]);
  const parts: Buffer[] = [
    Buffer.from('GIF89a', 'latin1'),
    // Logical screen: global colour table of 4 entries, 8-bit colour resolution.
    Buffer.from([...u16(width), ...u16(height), 0xf1, 0, 0, ...palette]),
    // NETSCAPE2.0 application extension: loop forever.
    Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0', 'latin1'), 0x03, 0x01, 0, 0, 0]),
  ];
  colours.forEach((_, index) => {
    parts.push(Buffer.from([0x21, 0xf9, 0x04, 0x04, ...u16(delayCs), 0, 0])); // graphic control: keep previous frame
    parts.push(Buffer.from([0x2c, 0, 0, 0, 0, ...u16(width), ...u16(height), 0])); // image descriptor, no local table
    parts.push(lzwNoCompression(new Uint8Array(width * height).fill(index)));
  });
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
}
