/**
 * STORYBOARD stage of the offline provider: cuts the story into exactly
 * `sceneCount` scenes. Sentences are shared out evenly; when there are fewer
 * sentences than scenes the longest pieces are split at clauses, then at the middle
 * word (or character, for Chinese), and only a text too short to split is reused.
 */
import { keywordDetails, subjectPhrase } from './keywords.ts';
import { detectLanguage, isHan, type Language } from './language.ts';
import { hashString } from '../seed.ts';
import { splitClauses, splitSentences } from './sentences.ts';

export interface OfflineScene {
  /** 0-based position in the storyboard. */
  index: number;
  narration: string;
  visualPrompt: string;
  /** Read-aloud time of the narration, clamped to 3–8 s. */
  durationSeconds: number;
}

/** The most scenes a storyboard may ask for; guards against a runaway request. */
export const MAX_SCENES = 200;

/** Thrown for an empty text or an impossible scene count. */
export class OfflineStoryboardInputError extends Error {
  override name = 'OfflineStoryboardInputError';
}

const units = (piece: string, language: Language): string[] =>
  language === 'zh' ? Array.from(piece) : piece.split(' ');

/** Splits one piece in two, or returns undefined when it is too short to split. */
function halve(piece: string, language: Language): [string, string] | undefined {
  const clauses = splitClauses(piece);
  if (clauses.length >= 2) {
    // Cut between clauses where the two sides are closest in length.
    let best = 1;
    let bestGap = Infinity;
    for (let cut = 1; cut < clauses.length; cut++) {
      const left = clauses.slice(0, cut).join(' ').length;
      const gap = Math.abs(piece.length - 2 * left);
      if (gap < bestGap) [best, bestGap] = [cut, gap];
    }
    const glue = language === 'zh' ? '' : ' ';
    return [clauses.slice(0, best).join(glue), clauses.slice(best).join(glue)];
  }
  const parts = units(piece, language);
  const meaningful = language === 'zh' ? parts.filter(isHan).length : parts.length;
  if (meaningful < 4) return undefined;
  let middle = Math.floor(parts.length / 2);
  // Keep Chinese punctuation with the characters before it.
  while (language === 'zh' && middle < parts.length - 1 && !isHan(parts[middle] as string)) middle++;
  const glue = language === 'zh' ? '' : ' ';
  return [parts.slice(0, middle).join(glue), parts.slice(middle).join(glue)];
}

function piecesFor(text: string, sceneCount: number, language: Language): string[] {
  const pieces = splitSentences(text);
  const unsplittable = new Set<number>();
  while (pieces.length < sceneCount) {
    let longest = -1;
    pieces.forEach((piece, i) => {
      if (unsplittable.has(i)) return;
      if (longest === -1 || piece.length > (pieces[longest] as string).length) longest = i;
    });
    if (longest === -1) break;
    const halves = halve(pieces[longest] as string, language);
    if (!halves) {
      unsplittable.add(longest);
      continue;
    }
    pieces.splice(longest, 1, ...halves);
    // Indices after the split moved by one; rebuild the set of pieces known to be too short.
    const shifted = [...unsplittable].map((i) => (i > longest ? i + 1 : i));
    unsplittable.clear();
    shifted.forEach((i) => unsplittable.add(i));
  }
  return pieces;
}

const SHOTS: Record<Language, readonly string[]> = {
  en: ['Wide shot', 'Medium shot', 'Close-up', 'Low-angle shot', 'Over-the-shoulder view', 'Establishing shot'],
  zh: ['远景', '中景', '特写', '仰拍', '过肩镜头', '全景'],
};

/** Light that follows the narration when it names a time or weather, else a hashed choice. */
const LIGHTS: ReadonlyArray<{ cue: RegExp; en: string; zh: string }> = [
  { cue: /night|moon|star|dark|midnight|夜|月|星|黑暗|午夜/iu, en: 'moonlit, deep blue shadows', zh: '月光下，幽蓝的阴影' },
  { cue: /storm|rain|thunder|wind|雨|雷|风暴|暴风/iu, en: 'stormy grey light', zh: '阴沉的暴雨天光' },
  { cue: /fire|flame|candle|lamp|lantern|火|烛|灯/iu, en: 'warm flickering firelight', zh: '温暖摇曳的火光' },
  { cue: /morning|dawn|sunrise|清晨|黎明|早晨|日出/iu, en: 'soft morning light', zh: '柔和的晨光' },
  { cue: /evening|sunset|dusk|傍晚|黄昏|夕阳/iu, en: 'golden sunset glow', zh: '金色的夕照' },
  { cue: /snow|winter|ice|雪|冬|冰/iu, en: 'cold winter daylight', zh: '清冷的冬日天光' },
];
const DEFAULT_LIGHTS = {
  en: ['late-afternoon light', 'bright clear daylight', 'hazy diffused light'],
  zh: ['午后斜阳', '明亮的日光', '朦胧的散射光'],
} as const;
const PALETTES = {
  en: ['warm amber', 'cool teal and cream', 'muted pastel', 'rich emerald', 'dusky violet'],
  zh: ['暖琥珀', '青绿与米白', '柔和粉彩', '浓郁翠绿', '暮紫'],
} as const;

function visualPromptFor(narration: string, index: number, language: Language): string {
  const hash = hashString(narration);
  const shot = SHOTS[language][(hash + index) % SHOTS[language].length] as string;
  const light = LIGHTS.find((entry) => entry.cue.test(narration));
  const lighting = light ? light[language] : (DEFAULT_LIGHTS[language][hash % 3] as string);
  const palette = PALETTES[language][(hash >>> 8) % PALETTES[language].length] as string;
  const subject =
    subjectPhrase(narration, language) ||
    (language === 'zh' ? `“${narration.slice(0, 30)}”的画面` : `a scene showing "${narration.slice(0, 60)}"`);
  // Further nouns of the narration, beyond the three named as the subject.
  const extra = keywordDetails(narration, 8)
    .filter((keyword) => keyword.noun && !subject.includes(keyword.word))
    .slice(0, 2)
    .map((keyword) => keyword.word);
  if (language === 'zh') {
    const setting = extra.length > 0 ? `，${extra.join('、')}` : '';
    return `${shot}：${subject}${setting}，${lighting}，${palette}色调，细腻的绘本插画风格`;
  }
  const setting = extra.length > 0 ? `, with ${extra.join(' and ')}` : '';
  return `${shot} of ${subject}${setting}, ${lighting}, ${palette} palette, detailed storybook illustration`;
}

/** About 2.5 English words or 4.5 Chinese characters are read per second. */
function durationFor(narration: string, language: Language): number {
  const seconds =
    language === 'zh'
      ? Array.from(narration).filter(isHan).length / 4.5
      : narration.split(/\s+/u).filter((word) => word !== '').length / 2.5;
  return Math.min(8, Math.max(3, Math.round(seconds)));
}

export function offlineStoryboard(text: string, sceneCount: number): OfflineScene[] {
  if (!Number.isInteger(sceneCount) || sceneCount < 1 || sceneCount > MAX_SCENES) {
    throw new OfflineStoryboardInputError(`sceneCount must be an integer from 1 to ${MAX_SCENES}`);
  }
  const language = detectLanguage(text);
  const pieces = piecesFor(text, sceneCount, language);
  if (pieces.length === 0) throw new OfflineStoryboardInputError('storyboard needs a non-empty text');
  const glue = language === 'zh' ? '' : ' ';

  return Array.from({ length: sceneCount }, (_, index) => {
    // More pieces than scenes: each scene takes a contiguous run. Fewer: a piece is reused.
    const from = Math.floor((index * pieces.length) / sceneCount);
    const to = Math.max(from + 1, Math.floor(((index + 1) * pieces.length) / sceneCount));
    const narration = pieces.slice(from, to).join(glue);
    return {
      index,
      narration,
      visualPrompt: visualPromptFor(narration, index, language),
      durationSeconds: durationFor(narration, language),
    };
  });
}
