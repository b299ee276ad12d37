// CAMERA_MOVEMENT: one camera shot per scene (pan, tilt, zoom, dolly or static, and what
// it shows), as structured output streamed token by token.
import { CAMERA_MOVEMENTS } from '../providers/scene.ts';
import { objectWithKeys, optionalString } from './input-rules.ts';
import type { CameraShot } from './outputs.ts';
import type { StageDefinition } from './stage.ts';
import { SAME_LANGUAGE, streamText } from './stream-text.ts';
import { MalformedOutputError, arrayOf, nonEmptyString, parseJsonAnswer } from './structured-output.ts';

export interface CameraInput {
  style?: string;
}

export const CAMERA_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['shots'],
  properties: {
    shots: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['sceneIndex', 'movement', 'description'],
        properties: {
          sceneIndex: { type: 'integer' },
          movement: { type: 'string', enum: [...CAMERA_MOVEMENTS] },
          description: { type: 'string', description: 'what the camera does and shows, in one or two sentences' },
        },
      },
    },
  },
};

export function validateShots(answer: string, sceneCount: number): CameraShot[] {
  return shotsFrom(parseJsonAnswer(answer), sceneCount);
}

/** One shot for each of the storyboard's scenes. */
export function shotsFrom(answer: Record<string, unknown>, sceneCount: number): CameraShot[] {
  const shots = arrayOf(answer.shots, 'shots');
  const byScene = new Map<number, CameraShot>();
  shots.forEach((raw, i) => {
    const s = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const sceneIndex = typeof s.sceneIndex === 'string' && s.sceneIndex.trim() === '' ? NaN : Number(s.sceneIndex);
    if (!Number.isInteger(sceneIndex) || sceneIndex < 0 || sceneIndex >= sceneCount) throw new MalformedOutputError(`shots[${i}].sceneIndex`, `must be a scene's index (0 to ${sceneCount - 1})`);
    const movement = nonEmptyString(s.movement, `shots[${i}].movement`).toLowerCase();
    if (!(CAMERA_MOVEMENTS as readonly string[]).includes(movement)) throw new MalformedOutputError(`shots[${i}].movement`, `must be one of ${CAMERA_MOVEMENTS.join(', ')}`);
    byScene.set(sceneIndex, { sceneIndex, movement, description: nonEmptyString(s.description, `shots[${i}].description`) });
  });
  if (byScene.size !== sceneCount) throw new MalformedOutputError('shots', `must have one shot for each of the ${sceneCount} scenes, got ${byScene.size}`);
  return [...byScene.values()].sort((a, b) => a.sceneIndex - b.sceneIndex);
}

export const cameraMovementStage: StageDefinition<CameraInput> = {
  name: 'CAMERA_MOVEMENT',
  order: 4,
  label: 'Camera movement',
  dependsOn: ['STORYBOARD'],
  providerKind: 'text',
  creditCost: 10,

  parseInput(raw) {
    const input = objectWithKeys(raw, 'CAMERA_MOVEMENT', ['style']);
    return { style: optionalString(input, 'style', { max: 200 }) };
  },

  missing(_input, _project, outputs) {
    return outputs.STORYBOARD?.kind === 'storyboard' ? null : 'CAMERA_MOVEMENT needs the output of STORYBOARD; run it first.';
  },

  async run(ctx) {
    const storyboard = ctx.outputs.STORYBOARD;
    const scenes = storyboard?.kind === 'storyboard' ? storyboard.scenes : [];
    const result = await streamText(ctx, {
      system: [
        'You are the director of photography of a short-video studio.',
        `Give exactly one camera shot for each of the ${scenes.length} scenes: sceneIndex, movement (one of ${CAMERA_MOVEMENTS.join(', ')}),`,
        'and description (what the camera does and shows, one or two sentences, serving the scene\'s mood).',
        ctx.input.style ? `Overall camera style: ${ctx.input.style}.` : '',
        'Answer with JSON only.',
        SAME_LANGUAGE,
      ].join(' '),
      user: JSON.stringify({ scenes: scenes.map(({ index, narration, visualPrompt }) => ({ index, narration, visualPrompt })) }),
      jsonSchema: { name: 'camera_shots', schema: CAMERA_SCHEMA },
      task: { stage: 'CAMERA_MOVEMENT', scenes, style: ctx.input.style },
    });
    return {
      output: { kind: 'camera', shots: validateShots(result.text, scenes.length) },
      text: result.text,
      tokensUsed: result.tokensUsed,
    };
  },
};
