// The stage registry: adding a stage is adding its file and a line here.
import { BadInputError } from '../errors.ts';
import type { StageName } from './names.ts';
import { rewriteStage } from './rewrite.ts';
import type { StageDefinition } from './stage.ts';
import { notYetAvailable } from './not-yet-available.ts';

export type StageRegistry = ReadonlyMap<StageName, StageDefinition<any>>;

export function createStageRegistry(
  stages: StageDefinition<any>[] = [
    rewriteStage,
    notYetAvailable('STORYBOARD', 2, 'Storyboard', ['REWRITE'], 10),
    notYetAvailable('IMAGE_GENERATION', 3, 'Image generation', ['STORYBOARD'], 40),
    notYetAvailable('CAMERA_MOVEMENT', 4, 'Camera movement', ['STORYBOARD'], 10),
    notYetAvailable('VIDEO_GENERATION', 5, 'Video generation', ['IMAGE_GENERATION', 'CAMERA_MOVEMENT'], 80),
  ],
): StageRegistry {
  return new Map([...stages].sort((a, b) => a.order - b.order).map((s) => [s.name, s]));
}

export function stageOf(registry: StageRegistry, name: string): StageDefinition<any> {
  const stage = registry.get(name as StageName);
  if (!stage) throw new BadInputError('stage', `must be one of ${[...registry.keys()].join(', ')}`);
  return stage;
}
