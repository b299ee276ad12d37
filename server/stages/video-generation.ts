// VIDEO_GENERATION: one clip per scene, made from the scene's image and its camera shot.
// Progress combines every clip's own progress while the provider renders.
import { PreconditionError } from '../errors.ts';
import { objectWithKeys, optionalOneOf } from './input-rules.ts';
import { hashOf } from './content-hash.ts';
import type { SceneImage, VideoClip } from './outputs.ts';
import { reusableBy } from './reuse.ts';
import { runSteps } from './parallel-steps.ts';
import type { StageDefinition } from './stage.ts';

export interface VideoInput {
  secondsPerClip: 4 | 8 | 12;
}

const IN_FLIGHT = 2;

function sizeOf(png: Buffer): { width: number; height: number } {
  // IHDR: width and height are the first two fields after the 8-byte signature and chunk header.
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

export const videoGenerationStage: StageDefinition<VideoInput> = {
  name: 'VIDEO_GENERATION',
  order: 5,
  label: 'Video generation',
  dependsOn: ['IMAGE_GENERATION', 'CAMERA_MOVEMENT'],
  providerKind: 'video',
  reads: ['STORYBOARD'],
  creditCost: 80,

  parseInput(raw) {
    const input = objectWithKeys(raw, 'VIDEO_GENERATION', ['secondsPerClip']);
    return { secondsPerClip: optionalOneOf(input, 'secondsPerClip', [4, 8, 12] as const, 4) };
  },

  missing(_input, _project, outputs) {
    const lacking = (['IMAGE_GENERATION', 'CAMERA_MOVEMENT'] as const).filter((s) => !outputs[s]);
    return lacking.length ? `VIDEO_GENERATION needs the output of ${lacking.join(' and ')}; run ${lacking.length > 1 ? 'them' : 'it'} first.` : null;
  },

  async run(ctx) {
    const images = ctx.outputs.IMAGE_GENERATION?.kind === 'images' ? ctx.outputs.IMAGE_GENERATION.images : [];
    const shots = ctx.outputs.CAMERA_MOVEMENT?.kind === 'camera' ? ctx.outputs.CAMERA_MOVEMENT.shots : [];
    const scenes = ctx.outputs.STORYBOARD?.kind === 'storyboard' ? ctx.outputs.STORYBOARD.scenes : [];
    const { video } = ctx.providers;
    const seconds = ctx.input.secondsPerClip;
    const keyOf = (image: SceneImage) => {
      const shot = shots.find((s) => s.sceneIndex === image.sceneIndex);
      const scene = scenes.find((s) => s.index === image.sceneIndex);
      return hashOf({ image: image.url, shot: shot && { movement: shot.movement, description: shot.description }, prompt: scene?.visualPrompt, seconds, provider: video.name, model: ctx.model ?? video.model });
    };
    // Scenes whose image, shot and prompt are unchanged keep their clip: only the others are generated (and charged).
    const reusable = reusableBy(ctx.earlier, (o) => (o.kind === 'video' ? o.clips : []));
    const all = images;
    const todo = all.filter((image) => !reusable.has(keyOf(image)));
    const percents = todo.map(() => 0);
    let reported = -1;
    let chain = Promise.resolve();
    const started = Date.now();
    const report = (done: number, etaSeconds?: number) => {
      const overall = Math.floor(percents.reduce((a, b) => a + b, 0) / Math.max(1, percents.length));
      if (overall === reported && etaSeconds === undefined) return chain;
      reported = overall;
      // While clips render, the time left follows the pace of the overall progress so far.
      const elapsed = (Date.now() - started) / 1000;
      const eta = etaSeconds ?? (overall > 0 && overall < 100 ? Math.round((elapsed * (100 - overall)) / overall) : undefined);
      chain = chain.then(() => ctx.progress({ progress: todo.length ? overall : 100, step: done, totalSteps: todo.length, etaSeconds: eta, message: `${done}/${todo.length}` }));
      return chain;
    };
    let finished = 0;
    await report(0);
    const made = await runSteps<(typeof images)[number], VideoClip>(
      todo,
      {
        concurrency: IN_FLIGHT,
        signal: ctx.signal,
        onStep: ({ done, etaSeconds }) => {
          finished = done;
          return report(done, etaSeconds);
        },
      },
      async (image, i) => {
        const shot = shots.find((s) => s.sceneIndex === image.sceneIndex);
        const scene = scenes.find((s) => s.index === image.sceneIndex);
        const key = ctx.media.keyOf(image.url);
        const png = key ? await ctx.media.get(key) : null;
        if (!shot || !scene || !png) throw new PreconditionError(`Scene ${image.sceneIndex} has no image or camera shot to animate.`);
        const { width, height } = sizeOf(png);
        const result = await video.generate({
          scene,
          movement: shot.movement,
          prompt: `${shot.movement}: ${shot.description}\n${scene.visualPrompt}`,
          image: png,
          seconds,
          model: ctx.model,
          orientation: width > height ? 'landscape' : width < height ? 'portrait' : 'square',
          signal: ctx.signal,
          onProgress: (percent) => {
            percents[i] = Math.max(percents[i], Math.min(100, percent));
            void report(finished).catch(() => {});
          },
        });
        percents[i] = 100;
        const stored = await ctx.media.put(result.bytes, result.ext);
        return { sceneIndex: image.sceneIndex, url: stored.path, durationSeconds: seconds, key: keyOf(image) };
      },
    );
    await chain;
    const clips = all.map((image) => made.find((m) => m.sceneIndex === image.sceneIndex) ?? { ...reusable.get(keyOf(image))!, sceneIndex: image.sceneIndex });
    return { output: { kind: 'video', clips }, scenes: { generated: todo.length, total: all.length } };
  },
};
