/**
 * CAMERA_MOVEMENT stage of the offline provider: one shot per scene. The move is
 * cued by the scene's own words (a sky tilts up, a letter zooms in, a road pans),
 * nudged by the style, and a hash of the narration breaks ties; the same move is not
 * repeated in consecutive scenes unless the words insist on it.
 */
import { CAMERA_MOVEMENTS, type CameraMovement, type SceneBrief } from '../../providers/scene.ts';
import { hashString } from '../seed.ts';
import { subjectPhrase } from './keywords.ts';
import { detectLanguage, type Language } from './language.ts';
import { toneFor } from './tones.ts';

export interface OfflineCameraShot {
  sceneIndex: number;
  movement: CameraMovement;
  description: string;
}

const CUES: Record<CameraMovement, { en: RegExp; zh: RegExp }> = {
  'tilt-up': {
    en: /\b(sky|skies|stars?|moon|tower|mountains?|peak|climb\w*|ris(e|es|ing)|rose|fl(y|ew|ying)|birds?|tall|above|heaven|cliff)\b/giu,
    zh: /天空|星星|月亮|塔|高山|山峰|攀|爬|升起|飞|鸟|仰望|高楼/gu,
  },
  'tilt-down': {
    en: /\b(fall|fell|falls|ground|floor|deep|down|below|grave|well|drop\w*|s[ai]nk|feet|footprints|snow)\b/giu,
    zh: /落下|坠|地面|地上|海底|深处|低头|脚下|井|沉|脚印|雪地/gu,
  },
  'pan-right': {
    en: /\b(walk\w*|road|r[au]n|journey|travel\w*|street|across|crowd|market|train|ship|sail\w*|river|horizon|along)\b/giu,
    zh: /走|路|跑|旅|街|穿过|集市|火车|船|航|河|地平线|沿着/gu,
  },
  'pan-left': {
    en: /\b(back|return\w*|home|west|past|remember\w*|memor(y|ies)|ago|once)\b/giu,
    zh: /回|返|往事|从前|回忆|记得|当年|西边/gu,
  },
  'zoom-in': {
    en: /\b(face|eyes?|letter|note|secret|clue|detail|hands?|key|words?|whisper\w*|star(e|ed)|notic\w*|tears?)\b/giu,
    zh: /脸|眼睛|信|字条|秘密|线索|细节|双手|钥匙|低语|盯着|眼泪/gu,
  },
  'zoom-out': {
    en: /\b(world|city|town|everyone|landscape|valley|ocean|kingdom|whole|finally|vast|distance|years)\b/giu,
    zh: /世界|城市|小镇|所有人|大家|山谷|大海|王国|整个|终于|远方|辽阔|许多年/gu,
  },
  'dolly-in': {
    en: /\b(door|room|house|enter\w*|inside|approach\w*|towards?|closer|cave|forest|hall|gate)\b/giu,
    zh: /门|房间|屋|走进|进入|靠近|洞|森林|大厅/gu,
  },
  static: {
    en: /\b(quiet|silen(ce|t)|still|sle(ep|pt)|wait\w*|s[ai]t|calm|alone|thought|pause\w*)\b/giu,
    zh: /静|睡|等待|坐|独自|沉默|思考|停下/gu,
  },
};

/** How each tone leans: suspense creeps in, epic opens up, poetry holds still. */
const TONE_BIAS: Record<string, Partial<Record<CameraMovement, number>>> = {
  suspense: { 'dolly-in': 1.5, 'zoom-in': 1 },
  horror: { 'dolly-in': 1.5, 'tilt-down': 0.5 },
  epic: { 'zoom-out': 1, 'tilt-up': 1 },
  poetic: { static: 1, 'pan-right': 0.5 },
  humorous: { 'zoom-in': 1 },
  romantic: { static: 1, 'dolly-in': 0.5 },
  scifi: { 'dolly-in': 1, 'zoom-out': 0.5 },
  fairy: { 'pan-right': 1, 'tilt-up': 0.5 },
};

const DESCRIBE: Record<CameraMovement, Record<Language, (subject: string) => string>> = {
  'pan-left': {
    en: (s) => `The camera pans slowly to the left across ${s}, as if looking back along the way the story came.`,
    zh: (s) => `镜头从右向左缓缓平移，掠过${s}，仿佛回望故事走过的路。`,
  },
  'pan-right': {
    en: (s) => `The camera pans slowly to the right, following ${s} as the story moves forward.`,
    zh: (s) => `镜头向右缓缓平移，跟随${s}，推动故事向前。`,
  },
  'tilt-up': {
    en: (s) => `The camera tilts up from ${s} toward the sky, lifting the moment.`,
    zh: (s) => `镜头从${s}缓缓上摇，望向高处，让情绪随之升起。`,
  },
  'tilt-down': {
    en: (s) => `The camera tilts down onto ${s}, bringing the eye to the ground where it happens.`,
    zh: (s) => `镜头缓缓下摇，落在${s}上，把视线带回地面。`,
  },
  'zoom-in': {
    en: (s) => `A steady zoom in on ${s}, narrowing the frame to the detail that matters.`,
    zh: (s) => `镜头稳稳推近${s}，把画面收拢到最关键的细节。`,
  },
  'zoom-out': {
    en: (s) => `The camera zooms out from ${s} to reveal the wider world around it.`,
    zh: (s) => `镜头从${s}缓缓拉远，展现周围更广阔的景象。`,
  },
  'dolly-in': {
    en: (s) => `The camera dollies in toward ${s}, drawing the viewer into the scene.`,
    zh: (s) => `摄影机向${s}缓缓推进，把观众带入场景之中。`,
  },
  static: {
    en: (s) => `A still, locked-off frame holds on ${s}, letting the moment breathe.`,
    zh: (s) => `固定镜头静静停在${s}上，让这一刻慢慢沉淀。`,
  },
};

interface Scored {
  movement: CameraMovement;
  score: number;
  cue: string | undefined;
}

function score(scene: SceneBrief, language: Language, bias: Partial<Record<CameraMovement, number>>): Scored[] {
  return CAMERA_MOVEMENTS.map((movement) => {
    const found = scene.narration.match(CUES[movement][language]) ?? [];
    // A hashed fraction below 1 breaks ties without outweighing a single cue word.
    const jitter = (hashString(`${movement}:${scene.narration}`) / 2 ** 32) * (movement === 'static' ? 0.4 : 0.9);
    return { movement, score: found.length + (bias[movement] ?? 0) + jitter, cue: found[0] };
  }).sort((a, b) => b.score - a.score);
}

export function offlineCameraShots(scenes: readonly SceneBrief[], style?: string): OfflineCameraShot[] {
  const bias = TONE_BIAS[toneFor(style).id] ?? {};
  let previous: CameraMovement | undefined;
  return scenes.map((scene) => {
    const language = detectLanguage(scene.narration || scene.visualPrompt);
    const [best, second] = score(scene, language, bias) as [Scored, Scored];
    // Two scenes in a row with the same move look like a stuck camera, unless clearly cued.
    const chosen = best.movement === previous && best.score - second.score < 2 ? second : best;
    previous = chosen.movement;
    const subject =
      subjectPhrase(scene.narration, language, 2) ||
      subjectPhrase(scene.visualPrompt, language, 2) ||
      (language === 'zh' ? '画面' : 'the scene');
    const because = chosen.cue
      ? language === 'zh'
        ? `这一运动呼应旁白中的“${chosen.cue}”。`
        : ` The move answers "${chosen.cue}" in the narration.`
      : '';
    return {
      sceneIndex: scene.index,
      movement: chosen.movement,
      description: DESCRIBE[chosen.movement][language](subject) + because,
    };
  });
}
