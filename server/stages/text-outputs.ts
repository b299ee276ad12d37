// The outputs of the text stages as something to revise: how a revised output (a hand edit,
// or a refine's answer) is checked (the same rules as a model's answer to the stage), the
// JSON schema a model's revision follows, and how an output is written back as an answer.
import { CAMERA_SCHEMA, shotsFrom } from './camera-movement.ts';
import type { StageName } from './names.ts';
import type { StageOutput } from './outputs.ts';
import type { DependencyOutputs } from './stage.ts';
import { STORYBOARD_SCHEMA, scenesFrom } from './storyboard.ts';
import { MalformedOutputError, nonEmptyString } from './structured-output.ts';

export const TEXT_STAGES = ['REWRITE', 'STORYBOARD', 'CAMERA_MOVEMENT'] as const;
export type TextStageName = (typeof TEXT_STAGES)[number];
export const isTextStage = (stage: string): stage is TextStageName => (TEXT_STAGES as readonly string[]).includes(stage);

/** The story a REWRITE output may hold: as long as a STORYBOARD's input.text. */
const MAX_STORY = 20_000;

interface TextOutputRules {
  /** The keys an output of the stage has. */
  keys: string[];
  /** What it reads that a revision is checked against. */
  needs: StageName[];
  /** Throws MalformedOutputError naming the field and the rule. */
  parse(value: Record<string, unknown>, outputs: DependencyOutputs): StageOutput;
  /** Structured output (JSON stages). */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
  /** The output as the text a model would have answered. */
  answer(output: StageOutput): string;
}

const sceneCountOf = (outputs: DependencyOutputs): number => (outputs.STORYBOARD?.kind === 'storyboard' ? outputs.STORYBOARD.scenes.length : 0);

export const TEXT_OUTPUTS: Record<TextStageName, TextOutputRules> = {
  REWRITE: {
    keys: ['text'],
    needs: [],
    parse: (value) => {
      const text = nonEmptyString(value.text, 'text', Infinity);
      if (text.length > MAX_STORY) throw new MalformedOutputError('text', `must be at most ${MAX_STORY.toLocaleString('en')} characters`);
      return { kind: 'rewrite', text };
    },
    answer: (output) => (output.kind === 'rewrite' ? output.text : ''),
  },
  STORYBOARD: {
    keys: ['scenes'],
    needs: [],
    parse: (value) => ({ kind: 'storyboard', scenes: scenesFrom(value) }),
    jsonSchema: { name: 'storyboard', schema: STORYBOARD_SCHEMA },
    answer: (output) => (output.kind === 'storyboard' ? JSON.stringify({ scenes: output.scenes }) : ''),
  },
  CAMERA_MOVEMENT: {
    keys: ['shots'],
    needs: ['STORYBOARD'],
    parse: (value, outputs) => ({ kind: 'camera', shots: shotsFrom(value, sceneCountOf(outputs)) }),
    jsonSchema: { name: 'camera_shots', schema: CAMERA_SCHEMA },
    answer: (output) => (output.kind === 'camera' ? JSON.stringify({ shots: output.shots }) : ''),
  },
};
