/**
 * Refines of the offline provider: a real, deterministic revision of the current output
 * following the instructions it can recognise, in English and Chinese: shorter or longer,
 * a happier or sadder ending, a number of scenes, a target length in seconds, a named
 * scene changed ("scene 3 should be at night", "第三个场景改成夜晚"), a camera move for a
 * scene. Anything else is applied as a note where it fits (the end of the story, every
 * picture, every shot), so a refine never returns a copy.
 */
import type { RefineTask } from '../../providers/text-provider.ts';
import { CAMERA_MOVEMENTS, type CameraMovement } from '../../providers/scene.ts';
import { hashString } from '../seed.ts';
import { cameraJson, storyboardJson } from './json-stream.ts';
import { keywords } from './keywords.ts';
import { detectLanguage, type Language } from './language.ts';
import { ensureTerminal, splitSentences } from './sentences.ts';
import { offlineStoryboard, type OfflineScene } from './storyboard.ts';

export interface Wishes {
  length?: 'shorter' | 'longer';
  ending?: 'happy' | 'sad';
  sceneCount?: number;
  seconds?: number;
  /** A named scene (0-based) and what should change about it. */
  scene?: { index: number; change: string };
  movement?: CameraMovement;
  /** The instructions, when nothing above was recognised. */
  note?: string;
}

const CN_DIGITS: Record<string, number> = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** "3", "三", "十二", "二十" → a number. */
export function numberOf(word: string): number | undefined {
  if (/^\d+$/u.test(word)) return Number(word);
  const at = word.indexOf('十');
  if (at < 0) return CN_DIGITS[word];
  const tens = at === 0 ? 1 : CN_DIGITS[word.slice(0, at)];
  const ones = at === word.length - 1 ? 0 : CN_DIGITS[word.slice(at + 1)];
  return tens === undefined || ones === undefined ? undefined : tens * 10 + ones;
}

const NUM = '(\\d+|[零一二两三四五六七八九十]+)';
const ENGLISH_NUMBERS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const englishNumber = (word: string) => (/^\d+$/u.test(word) ? Number(word) : ENGLISH_NUMBERS.indexOf(word.toLowerCase()));

const MOVES: Array<[CameraMovement, RegExp]> = [
  ['zoom-in', /zoom(s|ing)?[ -]?in|close[ -]?up|推近|拉近|特写/iu],
  ['zoom-out', /zoom(s|ing)?[ -]?out|wide shot|拉远|全景/iu],
  ['pan-left', /pan(s|ning)?[ -]?left|左摇|向左/iu],
  ['pan-right', /pan(s|ning)?[ -]?right|右摇|向右/iu],
  ['tilt-up', /tilt(s|ing)?[ -]?up|上摇|仰拍/iu],
  ['tilt-down', /tilt(s|ing)?[ -]?down|下摇|俯拍/iu],
  ['dolly-in', /dolly|推进|推轨/iu],
  ['static', /static|still camera|固定|静止/iu],
];

export function readWishes(instructions: string): Wishes {
  const text = instructions.replace(/\s+/gu, ' ').trim();
  const wishes: Wishes = {};
  if (/short|brief|concise|trim|简短|短一|更短|缩短|精简|简洁|删减/iu.test(text)) wishes.length = 'shorter';
  else if (/long|detail|expand|elaborat|richer|详细|长一|更长|扩写|丰富/iu.test(text)) wishes.length = 'longer';
  if (/happ|hope|uplift|joy|cheer|圆满|温暖|快乐|美好|希望|开心|幸福|欢乐/iu.test(text)) wishes.ending = 'happy';
  else if (/sad|tragic|bitter|melanchol|悲伤|悲剧|伤感|遗憾|难过|忧伤/iu.test(text)) wishes.ending = 'sad';
  const seconds = text.match(/(\d+)\s*(?:-\s*)?(?:s\b|sec\b|secs\b|seconds?\b|秒)/iu);
  if (seconds) wishes.seconds = Math.max(2, Math.min(300, Number(seconds[1])));
  const count = text.match(new RegExp(`(\\d+|${ENGLISH_NUMBERS.join('|')})\\s+scenes\\b`, 'iu')) ?? text.match(new RegExp(`(?<!第\\s*)${NUM}\\s*个?(?:场景|分镜|镜头|幕)`, 'u'));
  if (count) {
    const n = /[a-z]/iu.test(count[1] as string) ? englishNumber(count[1] as string) : numberOf(count[1] as string);
    if (n !== undefined && n >= 1 && n <= 20) wishes.sceneCount = n;
  }
  const named =
    text.match(/\bscene\s*#?\s*(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b[\s,:]*(.*)$/iu) ??
    text.match(new RegExp(`第\\s*${NUM}\\s*个?(?:场景|分镜|镜头|幕|场)[\\s，,：:]*(.*)$`, 'u')) ??
    text.match(new RegExp(`(?:场景|分镜|镜头)\\s*${NUM}[\\s，,：:]*(.*)$`, 'u'));
  if (named) {
    const word = named[1] as string;
    const n = /[a-z]/iu.test(word) ? englishNumber(word) : numberOf(word);
    const change = (named[2] ?? '')
      .replace(/^(should (be|have|show)|must be|needs to be|to be|is|be|becomes?|has|shows?)\s+/iu, '')
      .replace(/^(应该|应当|要|需要)?(改成|改为|变成|换成|设在|发生在|是)?/u, '')
      .replace(/[.。!！]+$/u, '')
      .trim();
    if (n !== undefined && n >= 1) wishes.scene = { index: n - 1, change };
  }
  for (const [movement, cue] of MOVES) {
    if (cue.test(text)) {
      wishes.movement = movement;
      break;
    }
  }
  const recognised = wishes.length || wishes.ending || wishes.seconds || wishes.sceneCount || (wishes.scene && wishes.scene.change) || wishes.movement;
  if (!recognised) wishes.note = text.slice(0, 200);
  return wishes;
}

const joinSentences = (language: Language, sentences: readonly string[]) => sentences.join(language === 'zh' ? '' : ' ');

const ENDINGS: Record<Language, Record<'happy' | 'sad', (word: string) => string>> = {
  en: {
    happy: (w) => `In the end everything turned out well for the ${w}: it came safely home, and everyone who had waited laughed with relief.`,
    sad: (w) => `In the end the ${w} never came back, and the ones who had waited learned to live with the empty place it left.`,
  },
  zh: {
    happy: (w) => `最后，一切都有了圆满的结局：${w}平安归来，等待的人们终于笑了。`,
    sad: (w) => `最后，${w}再也没有回来，等待的人们只好带着那份空落，慢慢学着生活。`,
  },
};

const DETAILS: Record<Language, Array<(word: string) => string>> = {
  en: [
    (w) => `For a long moment nothing moved, and the air itself seemed to listen for ${w}.`,
    (w) => `Every small sound — a door, a footstep, the wind — seemed to carry a little of ${w}.`,
    (w) => `It was the kind of moment people remember years later, whenever someone mentions ${w}.`,
  ],
  zh: [
    (w) => `那一刻，一切都静了下来，连空气都像在倾听${w}。`,
    (w) => `每一个细小的声音——门响、脚步、风声——都仿佛带着一点${w}的气息。`,
    (w) => `多年以后，每当有人提起${w}，人们还会想起这一刻。`,
  ],
};

const MOODS: Record<Language, Record<'happy' | 'sad', string>> = {
  en: { happy: 'warm golden light, smiling faces', sad: 'cold blue dusk, light rain, empty places' },
  zh: { happy: '暖金色的光，人们脸上带着笑', sad: '冷蓝色的黄昏，细雨，空荡的角落' },
};

const noteLine = (language: Language, note: string) => (language === 'zh' ? `（按要求修改：“${note}”）` : `(Revised as asked: "${note}".)`);

function refineStory(story: string, wishes: Wishes, instructions: string): string {
  const language = detectLanguage(story);
  const word = keywords(story, 1)[0] ?? (language === 'zh' ? '这个故事' : 'the story');
  let paragraphs = story
    .split(/\n\s*\n/u)
    .map((p) => splitSentences(p).map(ensureTerminal))
    .filter((p) => p.length > 0);
  if (paragraphs.length === 0) paragraphs = [[ensureTerminal(story)]];
  if (wishes.length === 'shorter') {
    const last = paragraphs[paragraphs.length - 1]!;
    const ending = last[last.length - 1]!;
    paragraphs = paragraphs.map((p) => p.slice(0, Math.max(1, Math.ceil(p.length / 2))));
    if (paragraphs.length > 3) paragraphs = [paragraphs[0]!, ...paragraphs.slice(1, -1).filter((_, i) => i % 2 === 0), paragraphs[paragraphs.length - 1]!];
    const tail = paragraphs[paragraphs.length - 1]!;
    if (tail[tail.length - 1] !== ending) tail.push(ending);
  } else if (wishes.length === 'longer') {
    paragraphs = paragraphs.map((p, i) => [p[0]!, DETAILS[language][(hashString(p.join('')) + i) % DETAILS[language].length]!(word), ...p.slice(1)]);
  }
  if (wishes.ending) {
    const tail = paragraphs[paragraphs.length - 1]!;
    if (tail.length > 1) tail.pop();
    tail.push(ENDINGS[language][wishes.ending](word));
  }
  // Nothing a story can show (a scene count, a camera move): the wish is written down.
  if (!wishes.length && !wishes.ending) paragraphs[paragraphs.length - 1]!.push(noteLine(language, wishes.note ?? instructions.trim().slice(0, 200)));
  return paragraphs.map((p) => joinSentences(language, p)).join('\n\n');
}

const clampDuration = (s: number) => Math.round(Math.max(2, Math.min(15, s)) * 10) / 10;

function refineStoryboard(scenes: OfflineScene[], wishes: Wishes): OfflineScene[] {
  const language = detectLanguage(scenes.map((s) => s.narration).join(''));
  const sep = language === 'zh' ? '，' : ', ';
  let out = scenes.map((s) => ({ ...s }));
  if (wishes.sceneCount && wishes.sceneCount !== out.length) {
    out = offlineStoryboard(joinSentences(language, out.map((s) => ensureTerminal(s.narration))), wishes.sceneCount);
  }
  if (wishes.length === 'shorter') {
    out = out.map((s) => {
      const sentences = splitSentences(s.narration);
      return { ...s, narration: sentences.length > 1 ? sentences[0]! : s.narration, durationSeconds: clampDuration(s.durationSeconds * 0.7) };
    });
  } else if (wishes.length === 'longer') {
    out = out.map((s) => ({ ...s, durationSeconds: clampDuration(s.durationSeconds * 1.4) }));
  }
  if (wishes.seconds) {
    const total = out.reduce((sum, s) => sum + s.durationSeconds, 0);
    out = out.map((s) => ({ ...s, durationSeconds: clampDuration((s.durationSeconds * wishes.seconds!) / total) }));
  }
  if (wishes.ending) {
    const last = out[out.length - 1]!;
    const word = keywords(out.map((s) => s.narration).join(' '), 1)[0] ?? (language === 'zh' ? '它' : 'it');
    out[out.length - 1] = { ...last, narration: `${ensureTerminal(last.narration)}${language === 'zh' ? '' : ' '}${ENDINGS[language][wishes.ending](word)}`, visualPrompt: `${last.visualPrompt}${sep}${MOODS[language][wishes.ending]}` };
  }
  if (wishes.scene && wishes.scene.change && out[wishes.scene.index]) {
    const s = out[wishes.scene.index]!;
    out[wishes.scene.index] = { ...s, visualPrompt: `${s.visualPrompt}${sep}${wishes.scene.change}` };
  }
  if (wishes.note) out = out.map((s) => ({ ...s, visualPrompt: `${s.visualPrompt}${sep}${wishes.note}` }));
  return out.map((s, index) => ({ ...s, index }));
}

interface Shot {
  sceneIndex: number;
  movement: CameraMovement;
  description: string;
}

function refineShots(shots: Shot[], wishes: Wishes): Shot[] {
  const language = detectLanguage(shots.map((s) => s.description).join(''));
  const moved = (s: Shot, movement: CameraMovement): Shot => ({
    ...s,
    movement,
    description: language === 'zh' ? `镜头改为${movement}：${s.description}` : `The camera now makes a ${movement}: ${s.description}`,
  });
  const appended = (s: Shot, text: string): Shot => ({ ...s, description: `${ensureTerminal(s.description)}${language === 'zh' ? '' : ' '}${ensureTerminal(text)}` });
  return shots.map((s) => {
    if (wishes.scene && wishes.scene.index === s.sceneIndex) {
      if (wishes.movement) return moved(s, wishes.movement);
      return wishes.scene.change ? appended(s, wishes.scene.change) : s;
    }
    if (!wishes.scene && wishes.movement) return moved(s, wishes.movement);
    if (wishes.note || (!wishes.scene && !wishes.movement)) return appended(s, wishes.note ?? noteLine(language, wishes.ending ?? wishes.length ?? ''));
    return s;
  });
}

export function offlineRefine(task: RefineTask): string {
  const wishes = readWishes(task.instructions);
  if (task.target === 'REWRITE') return refineStory(task.current, wishes, task.instructions);
  const value = JSON.parse(task.current) as { scenes?: OfflineScene[]; shots?: Shot[] };
  if (task.target === 'STORYBOARD') return storyboardJson(refineStoryboard(value.scenes ?? [], wishes));
  const shots = (value.shots ?? []).map((s) => ({ ...s, movement: (CAMERA_MOVEMENTS as readonly string[]).includes(s.movement) ? s.movement : 'static' }));
  return cameraJson(refineShots(shots, wishes));
}
