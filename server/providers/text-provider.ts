// What a text stage asks of a model: a streamed chat completion.
import type { SceneBrief } from './scene.ts';

/**
 * What is asked, in the stage's own terms. A model reads the prompt (`system`, `user`)
 * and ignores this; a provider without a model (the offline one) answers from it.
 */
export type TextTask =
  | { stage: 'REWRITE'; topic?: string; text?: string; style?: string; instructions?: string }
  | { stage: 'STORYBOARD'; story: string; sceneCount: number }
  | { stage: 'CAMERA_MOVEMENT'; scenes: SceneBrief[]; style?: string }
  | RefineTask;

/**
 * A revision of a text stage's output: `current` is the output as the stage's answer (the
 * story, or its JSON), `history` the instructions already applied, oldest first.
 */
export interface RefineTask {
  stage: 'REFINE';
  target: 'REWRITE' | 'STORYBOARD' | 'CAMERA_MOVEMENT';
  current: string;
  instructions: string;
  history: string[];
}

export interface TextRequest {
  task: TextTask;
  system: string;
  user: string;
  signal: AbortSignal;
  /** The stage's model, when configured; else the provider's own. */
  model?: string;
  /** Structured output: the answer must be JSON matching this schema. */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
}

export type TextChunk = { delta: string } | { usage: { totalTokens: number } };

export interface TextProvider {
  /** Provider name, recorded on the task. */
  readonly name: string;
  readonly model: string;
  stream(request: TextRequest): AsyncIterable<TextChunk>;
}
