// What a text stage's answer should measure, from what was asked alone: the prompt's target
// length (REWRITE), the scene count (STORYBOARD, CAMERA_MOVEMENT). The worker's estimator
// prefers the stage's history (stage-history.ts) and falls back to this.
import type { TextTask } from '../providers/text-provider.ts';

export type TextLanguage = 'zh' | 'en';

const HAN = /\p{Script=Han}/u;

/** The language a text stage writes in: the material's (the prompts ask the model to keep it). */
export function languageOf(text: string): TextLanguage {
  return HAN.test(text) ? 'zh' : 'en';
}

/** Rough model tokens of a text: about 4.5 characters per token in English, 1.5 in Chinese. */
export function approxTokens(text: string): number {
  return Math.ceil(text.length / (languageOf(text) === 'zh' ? 1.5 : 4.5));
}

/** Tokens per scene of a storyboard (narration, visual prompt, JSON) and of a camera shot. */
const STORYBOARD_TOKENS_PER_SCENE = 70;
const CAMERA_TOKENS_PER_SHOT = 35;
/** REWRITE asks for 150 to 300 words (300 to 600 Chinese characters): about 250 tokens. */
const REWRITE_TARGET_TOKENS = 250;

export function askedTokens(task: TextTask): number {
  switch (task.stage) {
    case 'REWRITE':
      // A retelling keeps every sentence of the material, so a long text makes a longer story.
      return Math.max(REWRITE_TARGET_TOKENS, task.text ? Math.round(approxTokens(task.text) * 1.1) : 0);
    case 'STORYBOARD':
      return task.sceneCount * STORYBOARD_TOKENS_PER_SCENE;
    case 'CAMERA_MOVEMENT':
      return task.scenes.length * CAMERA_TOKENS_PER_SHOT;
    default:
      return REWRITE_TARGET_TOKENS;
  }
}

/**
 * Structured answers announce their progress: each scene (storyboard) or shot (camera) has
 * exactly one of these keys, so how many have appeared, of how many asked, tells how far
 * the answer is, whatever the model's pace or verbosity.
 */
export function unitsOf(task: TextTask): { marker: string; total: number } | undefined {
  switch (task.stage) {
    case 'STORYBOARD':
      return { marker: '"narration"', total: task.sceneCount };
    case 'CAMERA_MOVEMENT':
      return task.scenes.length > 0 ? { marker: '"sceneIndex"', total: task.scenes.length } : undefined;
    default:
      return undefined;
  }
}
