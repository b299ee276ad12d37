// The offline engine's refines: deterministic, a real revision of what it is given, in the
// language of the text, following the instructions it recognises.
import { describe, expect, it } from 'vitest';
import { numberOf, offlineRefine, readWishes } from '../../server/offline/text/refine.ts';

const STORY = 'Once a small cat lived by the sea. It watched the boats every day. One morning a storm came and a boat was lost. The cat ran along the shore, calling. At night it found a light on the rocks. And so the cat became the keeper of the light.';
const STORY_ZH = '从前，海边住着一只小猫。它每天看着船只出海。一天早上，暴风雨来了，一艘船失踪了。小猫沿着海岸奔跑呼喊。夜里，它在礁石上发现了一盏灯。水手们因为这盏小灯得救了。';
const BOARD = JSON.stringify({
  scenes: [
    { index: 0, narration: 'A cat by the sea. It waits.', visualPrompt: 'a cat on a beach', durationSeconds: 4 },
    { index: 1, narration: 'A storm came.', visualPrompt: 'dark storm over the sea', durationSeconds: 4 },
    { index: 2, narration: 'The cat found a lamp.', visualPrompt: 'a lamp on rocks', durationSeconds: 4 },
  ],
});
const refine = (target: 'REWRITE' | 'STORYBOARD' | 'CAMERA_MOVEMENT', current: string, instructions: string) =>
  offlineRefine({ stage: 'REFINE', target, current, instructions, history: [] });

describe('offline refine', () => {
  it('reads wishes in English and Chinese', () => {
    expect(readWishes('shorter, for a 30-second clip')).toMatchObject({ length: 'shorter', seconds: 30 });
    expect(readWishes('结尾更圆满一些')).toMatchObject({ ending: 'happy' });
    expect(readWishes('make it sadder')).toMatchObject({ ending: 'sad' });
    expect(readWishes('scene 3 should be at night')).toMatchObject({ scene: { index: 2, change: 'at night' } });
    expect(readWishes('第三个场景改成夜晚')).toMatchObject({ scene: { index: 2, change: '夜晚' } });
    expect(readWishes('分成十二个场景')).toMatchObject({ sceneCount: 12 });
    expect(readWishes('four scenes please')).toMatchObject({ sceneCount: 4 });
    expect(readWishes('add more dragons')).toEqual({ note: 'add more dragons' });
    expect([numberOf('三'), numberOf('十'), numberOf('二十'), numberOf('十二'), numberOf('7')]).toEqual([3, 10, 20, 12, 7]);
  });

  it('revises a story: shorter keeps the ending, a happier ending replaces the last line, Chinese stays Chinese', () => {
    const shorter = refine('REWRITE', STORY, 'Make it shorter.');
    expect(shorter.length).toBeLessThan(STORY.length);
    expect(shorter.endsWith('And so the cat became the keeper of the light.')).toBe(true);
    const happy = refine('REWRITE', STORY, 'Give it a happier ending.');
    expect(happy.startsWith('Once a small cat lived by the sea.')).toBe(true);
    expect(happy).toMatch(/turned out well for the cat/);
    expect(happy).not.toMatch(/keeper of the light/);
    const zh = refine('REWRITE', STORY_ZH, '结尾更圆满一些');
    expect(zh).toMatch(/圆满的结局/);
    expect(zh).not.toMatch(/[A-Za-z]/);
    expect(refine('REWRITE', STORY, 'add more dragons')).toContain('(Revised as asked: "add more dragons".)');
    expect(refine('REWRITE', STORY, 'Give it a happier ending.')).toBe(happy); // deterministic
  });

  it('revises a storyboard: a named scene, a count, a length in seconds', () => {
    const night = JSON.parse(refine('STORYBOARD', BOARD, 'scene 3 should be at night')).scenes;
    expect(night.map((s: any) => s.visualPrompt)).toEqual(['a cat on a beach', 'dark storm over the sea', 'a lamp on rocks, at night']);
    const two = JSON.parse(refine('STORYBOARD', BOARD, '2 scenes')).scenes;
    expect(two.map((s: any) => s.index)).toEqual([0, 1]);
    const short = JSON.parse(refine('STORYBOARD', BOARD, 'shorter, for a 30-second clip')).scenes;
    expect(short.reduce((sum: number, s: any) => sum + s.durationSeconds, 0)).toBe(30);
    expect(short[0].narration).toBe('A cat by the sea.');
  });

  it('revises camera shots: a move for a named scene', () => {
    const shots = JSON.stringify({ shots: [0, 1, 2].map((i) => ({ sceneIndex: i, movement: 'static', description: 'The camera holds.' })) });
    const out = JSON.parse(refine('CAMERA_MOVEMENT', shots, 'scene 2: zoom in')).shots;
    expect(out.map((s: any) => s.movement)).toEqual(['static', 'zoom-in', 'static']);
  });
});
