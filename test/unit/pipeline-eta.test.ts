// The pipeline ETA is the critical path: stages that run side by side overlap.
import { describe, expect, it } from 'vitest';
import type { TaskRow } from '../../server/db/entities.ts';
import { createStageRegistry } from '../../server/stages/registry.ts';
import { pipelineEta } from '../../server/tasks/pipeline-eta.ts';

const task = (stage: string, status: string, startedAt: Date | null = null) => ({ id: stage, stage, status, startedAt }) as TaskRow;
const registry = createStageRegistry();
const durations = { REWRITE: [4000], STORYBOARD: [6000], IMAGE_GENERATION: [10_000, 12_000, 8000], CAMERA_MOVEMENT: [3000], VIDEO_GENERATION: [20_000] };

describe('pipelineEta', () => {
  it('adds the chain and overlaps IMAGE_GENERATION with CAMERA_MOVEMENT', () => {
    const tasks = ['REWRITE', 'STORYBOARD', 'IMAGE_GENERATION', 'CAMERA_MOVEMENT', 'VIDEO_GENERATION'].map((s) => task(s, 'QUEUED'));
    // 4 + 6 + max(10, 3) + 20
    expect(pipelineEta({ tasks, registry, durations, etaOf: () => null, now: 0 })).toBe(40);
  });

  it('a running text stage counts its own estimate; completed stages nothing', () => {
    const tasks = [task('REWRITE', 'COMPLETED'), task('STORYBOARD', 'RUNNING', new Date(0)), task('IMAGE_GENERATION', 'QUEUED'), task('CAMERA_MOVEMENT', 'QUEUED'), task('VIDEO_GENERATION', 'QUEUED')];
    expect(pipelineEta({ tasks, registry, durations, etaOf: (t) => (t.stage === 'STORYBOARD' ? 2.5 : null), now: 1000 })).toBe(32.5);
  });

  it('a media stage past its usual time says a little; nothing left is null', () => {
    const tasks = [task('IMAGE_GENERATION', 'RUNNING', new Date(0)), task('CAMERA_MOVEMENT', 'COMPLETED')];
    expect(pipelineEta({ tasks, registry, durations, etaOf: () => null, now: 60_000 })).toBe(1);
    expect(pipelineEta({ tasks: tasks.map((t) => ({ ...t, status: 'COMPLETED' })), registry, durations, etaOf: () => null, now: 0 })).toBeNull();
  });
});
