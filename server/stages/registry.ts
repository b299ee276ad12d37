// The stage registry: adding a stage is adding its file and a line here.
import { BadInputError } from '../errors.ts';
import type { StageName } from './names.ts';
import { cameraMovementStage } from './camera-movement.ts';
import { imageGenerationStage } from './image-generation.ts';
import { createFilmStage } from './film.ts';
import { narrationStage } from './narration.ts';
import { rewriteStage } from './rewrite.ts';
import type { StageDefinition } from './stage.ts';
import { storyboardStage } from './storyboard.ts';
import { videoGenerationStage } from './video-generation.ts';

export type StageRegistry = ReadonlyMap<StageName, StageDefinition<any>>;

/** Every stage of the pipeline; `filmHeight` sizes the film (config FILM_HEIGHT). */
export function defaultStages(opts: { filmHeight: number } = { filmHeight: 720 }): StageDefinition<any>[] {
  return [rewriteStage, storyboardStage, imageGenerationStage, cameraMovementStage, videoGenerationStage, narrationStage, createFilmStage(opts)];
}

export function createStageRegistry(stages: StageDefinition<any>[] = defaultStages()): StageRegistry {
  return new Map([...stages].sort((a, b) => a.order - b.order).map((s) => [s.name, s]));
}

export function stageOf(registry: StageRegistry, name: string): StageDefinition<any> {
  const stage = registry.get(name as StageName);
  if (!stage) throw new BadInputError('stage', `must be one of ${[...registry.keys()].join(', ')}`);
  return stage;
}
