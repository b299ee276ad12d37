// STORYBOARD: splits the story into scenes (narration, a visual prompt, a duration), as
// structured output streamed token by token.
import { objectWithKeys, optionalInt, optionalString } from './input-rules.ts';
import type { Scene } from './outputs.ts';
import type { StageDefinition } from './stage.ts';
import { SAME_LANGUAGE, streamText } from './stream-text.ts';
import { MalformedOutputError, arrayOf, nonEmptyString, parseJsonAnswer } from './structured-output.ts';

export interface StoryboardInput {
  text?: string;
  sceneCount: number;
}

export const STORYBOARD_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['scenes'],
  properties: {
    scenes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['index', 'narration', 'visualPrompt', 'durationSeconds'],
        properties: {
          index: { type: 'integer', description: '0-based position of the scene' },
          narration: { type: 'string', description: 'what the narrator says over this scene' },
          visualPrompt: { type: 'string', description: 'a description of the picture, for an image model' },
          durationSeconds: { type: 'number', description: 'how long the scene lasts, 2 to 15 seconds' },
        },
      },
    },
  },
};

export function validateScenes(answer: string, sceneCount: number): Scene[] {
  return scenesFrom(parseJsonAnswer(answer), sceneCount);
}

/** The scenes of a storyboard answer; without `sceneCount`, any count from 1 to 20 (a refine or an edit may change it). */
export function scenesFrom(answer: Record<string, unknown>, sceneCount?: number): Scene[] {
  const scenes = arrayOf(answer.scenes, 'scenes');
  if (sceneCount !== undefined && scenes.length !== sceneCount) throw new MalformedOutputError('scenes', `must have ${sceneCount} scenes, got ${scenes.length}`);
  if (scenes.length < 1 || scenes.length > 20) throw new MalformedOutputError('scenes', `must have 1 to 20 scenes, got ${scenes.length}`);
  return scenes.map((raw, i) => {
    const s = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const duration = typeof s.durationSeconds === 'string' && s.durationSeconds.trim() === '' ? NaN : Number(s.durationSeconds);
    if (!Number.isFinite(duration) || duration <= 0 || duration > 60) throw new MalformedOutputError(`scenes[${i}].durationSeconds`, 'must be a number of seconds (above 0, at most 60)');
    return {
      index: i, // the position is the index, whatever the model numbered
      narration: nonEmptyString(s.narration, `scenes[${i}].narration`),
      visualPrompt: nonEmptyString(s.visualPrompt, `scenes[${i}].visualPrompt`),
      durationSeconds: Math.round(duration * 10) / 10,
    };
  });
}

export const storyboardStage: StageDefinition<StoryboardInput> = {
  name: 'STORYBOARD',
  order: 2,
  label: 'Storyboard',
  dependsOn: ['REWRITE'],
  providerKind: 'text',
  creditCost: 10,

  parseInput(raw) {
    const input = objectWithKeys(raw, 'STORYBOARD', ['text', 'sceneCount']);
    return {
      text: optionalString(input, 'text', { max: 20_000, nonEmpty: true }),
      sceneCount: optionalInt(input, 'sceneCount', { min: 1, max: 20, fallback: 5 }),
    };
  },

  missing(input, _project, outputs) {
    if (input.text || outputs.REWRITE?.kind === 'rewrite') return null;
    return 'STORYBOARD needs the output of REWRITE (run it first) or input.text.';
  },

  async run(ctx) {
    const rewrite = ctx.outputs.REWRITE;
    const story = ctx.input.text ?? (rewrite?.kind === 'rewrite' ? rewrite.text : '');
    const { sceneCount } = ctx.input;
    const result = await streamText(ctx, {
      system: [
        'You are the storyboard artist of a short-video studio.',
        `Split the story into exactly ${sceneCount} consecutive scenes that together cover all of it.`,
        'For each scene give: index (0-based), narration (the words spoken over the scene, taken from the story),',
        'visualPrompt (a vivid description of one still picture for an image model: subject, setting, light, mood),',
        'and durationSeconds (how long the narration takes to read aloud, 2 to 15).',
        'Answer with JSON only.',
        SAME_LANGUAGE,
      ].join(' '),
      user: story,
      jsonSchema: { name: 'storyboard', schema: STORYBOARD_SCHEMA },
      task: { stage: 'STORYBOARD', story, sceneCount },
    });
    return {
      output: { kind: 'storyboard', scenes: validateScenes(result.text, sceneCount) },
      text: result.text,
      tokensUsed: result.tokensUsed,
    };
  },
};
