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

  it("a media stage's own estimate counts as far as the stage has come; the history for the rest", () => {
    const film = { ...durations, NARRATION: [5000], FILM: [10_000] };
    const tasks = [task('VIDEO_GENERATION', 'COMPLETED'), task('NARRATION', 'COMPLETED'), task('FILM', 'RUNNING', new Date(0))];
    const at = (progress: number, own: number) => pipelineEta({ tasks, registry, durations: film, etaOf: () => own, progressOf: () => progress, now: 2000 });
    // 2 s into a film that usually takes 10: 8 s left by its history.
    expect(at(0, 0)).toBe(8); // ffmpeg has said nothing useful yet
    expect(at(5, 60)).toBe(10.6); // its first frames' pace says 60 s: mostly the history still
    expect(at(90, 1)).toBe(1.7); // nearly done: mostly its own
    expect(at(100, 0.5)).toBe(0.5);
    // Without a progress, or without a history, its own estimate whole.
    expect(pipelineEta({ tasks, registry, durations: film, etaOf: () => 3, now: 2000 })).toBe(3);
    expect(pipelineEta({ tasks, registry, durations, etaOf: () => 3, progressOf: () => 10, now: 2000 })).toBe(3);
  });

  it('the stages left go at the pace of those this run has done, not counting cached ones', () => {
    const done = (stage: string, ms: number, cached = false) => ({ ...task(stage, 'COMPLETED', new Date(0)), finishedAt: new Date(ms), cached }) as TaskRow;
    const left = [task('IMAGE_GENERATION', 'QUEUED'), task('CAMERA_MOVEMENT', 'QUEUED'), task('VIDEO_GENERATION', 'QUEUED')];
    // REWRITE and STORYBOARD took 5 s of their usual 10: the rest at half its history, 5 + 10.
    expect(pipelineEta({ tasks: [done('REWRITE', 2000), done('STORYBOARD', 3000), ...left], registry, durations, etaOf: () => null, now: 0 })).toBe(15);
    // A stage completed from the cache says nothing of the machine's pace.
    expect(pipelineEta({ tasks: [done('REWRITE', 0, true), done('STORYBOARD', 6000), ...left], registry, durations, etaOf: () => null, now: 0 })).toBe(30);
  });

  it('a media stage past its usual time says a little; nothing left is null', () => {
    const tasks = [task('IMAGE_GENERATION', 'RUNNING', new Date(0)), task('CAMERA_MOVEMENT', 'COMPLETED')];
    expect(pipelineEta({ tasks, registry, durations, etaOf: () => null, now: 60_000 })).toBe(1);
    expect(pipelineEta({ tasks: tasks.map((t) => ({ ...t, status: 'COMPLETED' })), registry, durations, etaOf: () => null, now: 0 })).toBeNull();
  });
});
