/**
 * Draws the offline provider's scene images: a landscape whose sky, light and
 * shapes follow the scene's words (night brings a moon and stars, the sea brings
 * waves, a city a skyline), and the narration itself on a contrasting panel, so a
 * viewer can read what each scene is. Same scene → byte-identical PNG.
 */
import { parseImageSize, type SceneBrief, type SceneImageSize } from '../../providers/scene.ts';
import { createRandom, hashString } from '../seed.ts';
import {
  createCanvas,
  fillBelow,
  fillCircle,
  fillRect,
  fillTriangle,
  hsl,
  mix,
  type Canvas,
  type Rgb,
} from './canvas.ts';
import { defaultGlyphs, drawText, measureText, wrapText } from './font.ts';
import { encodePng } from './png.ts';

type Theme = 'night' | 'sea' | 'forest' | 'city' | 'snow' | 'fire' | 'hills';

/** First match wins: the scene's words pick the landscape and its base hue. */
const THEMES: ReadonlyArray<{ theme: Theme; cue: RegExp; hue: number }> = [
  { theme: 'night', cue: /night|moon|star|midnight|dark|夜|月|星|午夜|黑暗/iu, hue: 230 },
  { theme: 'fire', cue: /fire|flame|lantern|candle|sunset|火|灯|烛|夕阳|黄昏/iu, hue: 20 },
  { theme: 'sea', cue: /sea|ocean|harbou?r|lighthouse|wave|beach|island|boat|ship|海|港|灯塔|浪|岛|船/iu, hue: 200 },
  { theme: 'snow', cue: /snow|winter|ice|frost|雪|冬|冰|霜/iu, hue: 205 },
  { theme: 'forest', cue: /forest|tree|wood|garden|leaf|森林|树|林|花园|叶/iu, hue: 125 },
  { theme: 'city', cue: /city|street|town|market|house|building|城|街|镇|集市|房|楼/iu, hue: 265 },
];

function paintSky(canvas: Canvas, top: Rgb, bottom: Rgb): void {
  const { width, height, rgba } = canvas;
  for (let y = 0; y < height; y++) {
    const [r, g, b] = mix(top, bottom, y / (height - 1));
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4;
      rgba[at] = Math.round(r);
      rgba[at + 1] = Math.round(g);
      rgba[at + 2] = Math.round(b);
      rgba[at + 3] = 255;
    }
  }
}

/** A ridge line made of three sines with the scene's own frequencies and phases. */
function ridge(random: () => number, base: number, amplitude: number, width: number): (x: number) => number {
  const waves = [1, 2.3, 5.1].map((f) => ({ f: f * (0.6 + random()), phase: random() * Math.PI * 2, a: amplitude / f }));
  return (x) => base - waves.reduce((sum, w) => sum + w.a * Math.sin((x / width) * Math.PI * 2 * w.f + w.phase), 0);
}

function paintLandscape(canvas: Canvas, theme: Theme, hue: number, random: () => number): void {
  const { width: w, height: h } = canvas;
  const night = theme === 'night';
  const light = theme === 'snow';
  // The sun or moon, with a soft glow of stacked translucent discs.
  const sunX = w * (0.15 + random() * 0.7);
  const sunY = h * (0.12 + random() * 0.18);
  const sunR = Math.min(w, h) * (0.05 + random() * 0.04);
  const sunColor: Rgb = night ? [240, 240, 220] : theme === 'fire' ? [255, 190, 90] : [255, 236, 170];
  for (let k = 4; k >= 1; k--) fillCircle(canvas, sunX, sunY, sunR * (1 + k * 0.5), sunColor, 0.07);
  fillCircle(canvas, sunX, sunY, sunR, sunColor);
  if (night) {
    const stars = 60 + Math.floor(random() * 80);
    for (let s = 0; s < stars; s++) fillCircle(canvas, random() * w, random() * h * 0.55, 0.8 + random() * 1.6, [255, 255, 235], 0.5 + random() * 0.5);
  }

  const layers = 3;
  for (let layer = 0; layer < layers; layer++) {
    const depth = layer / (layers - 1);
    const base = h * (0.42 + depth * 0.16);
    const wavy = theme === 'sea' && layer > 0;
    const top = ridge(random, base, h * (wavy ? 0.012 : 0.09 - depth * 0.03), wavy ? w / 3 : w);
    const lightness = light ? 0.86 - depth * 0.2 : night ? 0.22 - depth * 0.08 : 0.5 - depth * 0.22;
    // Water keeps the scene's own blue; land shifts hue a little per layer for depth.
    const color = wavy ? hsl(hue, 0.6, 0.42 - depth * 0.15) : hsl((hue + 40 + layer * 15) % 360, 0.35, lightness);
    fillBelow(canvas, top, color);

    if (layer === 1 && theme === 'forest') {
      for (let t = 0, trees = 14 + Math.floor(random() * 14); t < trees; t++) {
        const x = random() * w;
        const size = h * (0.05 + random() * 0.06);
        fillTriangle(canvas, x, top(x) - size, size * 0.35, size * 1.05, hsl((hue + 10) % 360, 0.45, 0.2), 1);
      }
    }
    if (layer === 0 && theme === 'city') {
      for (let x = 0; x < w; ) {
        const bw = w * (0.04 + random() * 0.05);
        const bh = h * (0.1 + random() * 0.22);
        const y = top(x) - bh;
        fillRect(canvas, x, y, bw - 3, bh + h, hsl(hue, 0.25, 0.2));
        for (let wy = y + 10; wy < top(x) - 10; wy += 22) {
          for (let wx = x + 8; wx < x + bw - 14; wx += 16) if (random() < 0.45) fillRect(canvas, wx, wy, 6, 9, [255, 214, 120], 0.9);
        }
        x += bw;
      }
    }
  }
}

/** Lays the narration out as large as fits, then draws it on a dark translucent panel. */
function paintNarration(canvas: Canvas, narration: string, index: number): void {
  const { width: w, height: h } = canvas;
  const font = defaultGlyphs();
  const margin = Math.round(w * 0.05);
  const padding = Math.round(w * 0.03);
  const inner = w - 2 * margin - 2 * padding;
  const maxTextHeight = h * 0.42;

  let scale = 4;
  let lines: string[] = [];
  for (; scale >= 2; scale--) {
    lines = wrapText(narration, Math.floor(inner / scale), font);
    if (lines.length * font.lineHeight * scale * 1.25 <= maxTextHeight) break;
  }
  scale = Math.max(scale, 2);
  const lineStep = Math.round(font.lineHeight * scale * 1.25);
  const fitting = Math.max(1, Math.floor(maxTextHeight / lineStep));
  if (lines.length > fitting) {
    lines = lines.slice(0, fitting);
    const last = Array.from(lines[fitting - 1] as string);
    while (last.length > 0 && measureText(`${last.join('')}…`, font) * scale > inner) last.pop();
    lines[fitting - 1] = `${last.join('')}…`;
  }

  const panelHeight = lines.length * lineStep + 2 * padding - (lineStep - font.lineHeight * scale);
  const panelY = h - margin - panelHeight;
  fillRect(canvas, margin, panelY, w - 2 * margin, panelHeight, [12, 14, 24], 0.72);
  lines.forEach((line, i) => {
    const y = panelY + padding + i * lineStep;
    drawText(canvas, line, margin + padding + scale / 2, y + scale / 2, scale, [0, 0, 0], font);
    drawText(canvas, line, margin + padding, y, scale, [250, 248, 240], font);
  });

  // A small scene label, in the narration's language, at the top left.
  const label = /\p{Script=Han}/u.test(narration) ? `场景 ${index + 1}` : `SCENE ${index + 1}`;
  const labelScale = 2;
  const labelWidth = measureText(label, font) * labelScale;
  fillRect(canvas, margin, margin, labelWidth + 24, font.lineHeight * labelScale + 16, [12, 14, 24], 0.6);
  drawText(canvas, label, margin + 12, margin + 8, labelScale, [250, 248, 240], font);
}

export function renderSceneRgba(scene: SceneBrief, size: SceneImageSize): Canvas {
  const { width, height } = parseImageSize(size);
  const words = `${scene.narration}\n${scene.visualPrompt}`;
  const random = createRandom(hashString(`${words}\n${scene.index}`));
  const found = THEMES.find((entry) => entry.cue.test(words));
  const theme: Theme = found?.theme ?? 'hills';
  const hue = ((found?.hue ?? random() * 360) + (random() - 0.5) * 40 + 360) % 360;

  const canvas = createCanvas(width, height);
  const skyTop = theme === 'night' ? hsl(hue, 0.5, 0.1) : hsl(hue, 0.55, theme === 'snow' ? 0.7 : 0.45);
  const skyBottom = theme === 'night' ? hsl((hue + 30) % 360, 0.45, 0.3) : hsl((hue + 35) % 360, 0.7, 0.82);
  paintSky(canvas, skyTop, skyBottom);
  paintLandscape(canvas, theme, hue, random);
  paintNarration(canvas, scene.narration, scene.index);
  return canvas;
}

export function renderSceneImage(scene: SceneBrief, size: SceneImageSize): Buffer {
  const { width, height, rgba } = renderSceneRgba(scene, size);
  return encodePng(width, height, rgba);
}
