// IMAGE_GENERATION: one image per scene from its visual prompt, a few in flight at once,
// a ProgressEvent per finished image.
import { SCENE_IMAGE_SIZES, type SceneImageSize } from '../providers/scene.ts';
import { objectWithKeys, optionalOneOf } from './input-rules.ts';
import { hashOf } from './content-hash.ts';
import type { Scene, SceneImage } from './outputs.ts';
import { reusableBy } from './reuse.ts';
import { runSteps } from './parallel-steps.ts';
import type { StageDefinition } from './stage.ts';

export interface ImageInput {
  size: SceneImageSize;
}

/** Images generated at once per task: the provider's rate limits, not our CPU, bound this. */
const IN_FLIGHT = 3;

export const imageGenerationStage: StageDefinition<ImageInput> = {
  name: 'IMAGE_GENERATION',
  order: 3,
  label: 'Image generation',
  dependsOn: ['STORYBOARD'],
  providerKind: 'image',
  creditCost: 40,

  parseInput(raw) {
    const input = objectWithKeys(raw, 'IMAGE_GENERATION', ['size']);
    return { size: optionalOneOf(input, 'size', SCENE_IMAGE_SIZES, '1024x1024') };
  },

  missing(_input, _project, outputs) {
    return outputs.STORYBOARD?.kind === 'storyboard' ? null : 'IMAGE_GENERATION needs the output of STORYBOARD; run it first.';
  },

  async run(ctx) {
    const storyboard = ctx.outputs.STORYBOARD;
    const scenes = storyboard?.kind === 'storyboard' ? storyboard.scenes : [];
    const { image } = ctx.providers;
    const keyOf = (scene: Scene) => hashOf({ prompt: scene.visualPrompt, size: ctx.input.size, provider: image.name, model: ctx.model ?? image.model });
    // Scenes whose image is made from the same as before keep it: only the others are generated (and charged).
    const reusable = reusableBy(ctx.earlier, (o) => (o.kind === 'images' ? o.images : []));
    const todo = scenes.filter((scene) => !reusable.has(keyOf(scene)));
    await ctx.progress({ progress: todo.length ? 0 : 100, step: 0, totalSteps: todo.length, message: `0/${todo.length}` });
    const made = await runSteps<(typeof scenes)[number], SceneImage>(
      todo,
      {
        concurrency: IN_FLIGHT,
        signal: ctx.signal,
        onStep: ({ done, total, etaSeconds }) =>
          ctx.progress({ progress: (done / total) * 100, step: done, totalSteps: total, etaSeconds, message: `${done}/${total}` }),
      },
      async (scene) => {
        const png = await image.generate({
          scene,
          prompt: scene.visualPrompt,
          size: ctx.input.size,
          signal: ctx.signal,
          model: ctx.model,
        });
        const stored = await ctx.media.put(png, 'png');
        return { sceneIndex: scene.index, url: stored.path, prompt: scene.visualPrompt, key: keyOf(scene) };
      },
    );
    const images = scenes.map((scene) => made.find((m) => m.sceneIndex === scene.index) ?? { ...reusable.get(keyOf(scene))!, sceneIndex: scene.index });
    return { output: { kind: 'images', images }, scenes: { generated: todo.length, total: scenes.length } };
  },
};
