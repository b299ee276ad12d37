/**
 * Text drawing for the offline renderer, covering ASCII, Latin, CJK ideographs and
 * CJK punctuation. Glyphs come from GNU Unifont's pixel design as shipped in the
 * npm package @fontsource/unifontex (OFL-1.1), read from node_modules at run time,
 * so no system font is needed. Glyphs are 16 px tall (8 px wide for Latin, 16 px
 * for CJK) and drawn at an integer scale, which keeps edges crisp at any size.
 * A character the font lacks is drawn as a visible box, never an error.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { blendPixel, type Canvas, type Rgb } from './canvas.ts';
import { openWoffGlyphs, type GlyphBitmap, type GlyphSource } from './woff-glyphs.ts';

const FONT_FILE = '@fontsource/unifontex/files/unifontex-latin-400-normal.woff';

let defaultSource: GlyphSource | undefined;

/** The bundled Unifont glyphs, loaded once on first use (about 60 ms, 12 MB of outlines). */
export function defaultGlyphs(): GlyphSource {
  if (!defaultSource) {
    const path = createRequire(import.meta.url).resolve(FONT_FILE);
    defaultSource = openWoffGlyphs(readFileSync(path));
  }
  return defaultSource;
}

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f300}-\u{1faff}\u{20000}-\u{3fffd}]/u;

/** A hollow box the size the missing character would have had. */
function missingBox(char: string, height: number): GlyphBitmap {
  const width = WIDE.test(char) ? 16 : 8;
  const bits = new Uint8Array(width * height);
  for (let y = 2; y < height - 2; y++) {
    for (let x = 1; x < width - 1; x++) {
      if (y === 2 || y === height - 3 || x === 1 || x === width - 2) bits[y * width + x] = 1;
    }
  }
  return { width, height, bits };
}

function glyphFor(source: GlyphSource, char: string): GlyphBitmap {
  // Tabs and other controls are spaces here; the layout has already used the line breaks.
  const cp = /\p{Cc}/u.test(char) ? 0x20 : (char.codePointAt(0) as number);
  return source.glyph(cp) ?? missingBox(char, source.lineHeight);
}

/** Width of `text` in font pixels (multiply by the drawing scale). */
export function measureText(text: string, source: GlyphSource = defaultGlyphs()): number {
  let width = 0;
  for (const char of text.normalize('NFC')) width += glyphFor(source, char).width;
  return width;
}

/** Draws one line of text with its top-left corner at (x, y), each font pixel a scale × scale block. */
export function drawText(
  canvas: Canvas,
  text: string,
  x: number,
  y: number,
  scale: number,
  color: Rgb,
  source: GlyphSource = defaultGlyphs(),
): void {
  let penX = Math.round(x);
  for (const char of text.normalize('NFC')) {
    const glyph = glyphFor(source, char);
    for (let gy = 0; gy < glyph.height; gy++) {
      for (let gx = 0; gx < glyph.width; gx++) {
        if (!glyph.bits[gy * glyph.width + gx]) continue;
        for (let sy = 0; sy < scale; sy++) {
          for (let sx = 0; sx < scale; sx++) blendPixel(canvas, penX + gx * scale + sx, Math.round(y) + gy * scale + sy, color, 1);
        }
      }
    }
    penX += glyph.width * scale;
  }
}

/** Closing punctuation that must not start a line (kinsoku), Chinese and Western. */
const NO_LINE_START = /^[，。、；：！？）」』》〉】”’,.;:!?)\]}…—%]/u;
const BREAKABLE_CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}，。、；：！？）」』》〉】”’（「『《〈【“‘]/u;

/** Units that may not be split across lines: a Latin word with its trailing space, or one CJK character. */
function breakUnits(text: string): string[] {
  const units: string[] = [];
  let word = '';
  for (const char of text.normalize('NFC')) {
    if (BREAKABLE_CJK.test(char)) {
      if (word) units.push(word);
      word = '';
      if (NO_LINE_START.test(char) && units.length > 0) units[units.length - 1] += char;
      else units.push(char);
    } else if (/\s/u.test(char)) {
      units.push(`${word} `);
      word = '';
    } else {
      word += char;
    }
  }
  if (word) units.push(word);
  return units;
}

/**
 * Wraps text into lines no wider than `maxWidth` font pixels: English per word,
 * Chinese per character, never starting a line with closing punctuation. A word
 * wider than a line is cut by character.
 */
export function wrapText(text: string, maxWidth: number, source: GlyphSource = defaultGlyphs()): string[] {
  const lines: string[] = [];
  let line = '';
  const push = () => {
    if (line.trim() !== '') lines.push(line.trimEnd());
    line = '';
  };
  for (const paragraph of text.split(/\n+/u)) {
    for (const unit of breakUnits(paragraph)) {
      if (measureText(line + unit.trimEnd(), source) <= maxWidth) {
        line += unit;
        continue;
      }
      push();
      if (measureText(unit.trimEnd(), source) <= maxWidth) {
        line = unit.trimStart();
        continue;
      }
      for (const char of unit) {
        if (measureText(line + char, source) > maxWidth) push();
        line += char;
      }
    }
    push();
  }
  return lines;
}
