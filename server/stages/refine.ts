// A refine: the model revises a text stage's output following the user's instructions. It
// streams like the stage itself and its answer is checked by the stage's own rules
// (text-outputs.ts), so a refined storyboard is as usable downstream as a generated one.
import type { StageResult, StageRunContext } from './stage.ts';
import { SAME_LANGUAGE, streamText } from './stream-text.ts';
import { parseJsonAnswer } from './structured-output.ts';
import { TEXT_OUTPUTS, type TextStageName } from './text-outputs.ts';

export interface RefineRequest {
  stage: TextStageName;
  /** The output to revise, as the stage's answer (the story, or its JSON); possibly the partial text of a superseded task. */
  base: string;
  instructions: string;
  /** Instructions applied before, oldest first. */
  history: string[];
}

const WHAT: Record<TextStageName, string> = {
  REWRITE: 'story',
  STORYBOARD: 'storyboard (its scenes: index, narration, visualPrompt, durationSeconds)',
  CAMERA_MOVEMENT: 'camera shots (one per scene: sceneIndex, movement, description)',
};

/** The language the project is written in, as the model should be told it. */
export function languageLine(text: string): string {
  const han = (text.match(/\p{Script=Han}/gu) ?? []).length;
  const letters = (text.match(/\p{L}/gu) ?? []).length;
  return han > 0 && han / Math.max(1, letters) >= 0.2
    ? 'The project is written in Chinese: write the revision in Simplified Chinese (简体中文).'
    : 'The project is written in English: write the revision in English.';
}

export function refinePrompt(request: RefineRequest): { system: string; user: string } {
  const rules = TEXT_OUTPUTS[request.stage];
  const system = [
    `You are the editor of a short-video studio. You revise the ${WHAT[request.stage]} you are given, following the user's instructions.`,
    'Change what the instructions ask for and keep everything else as it is.',
    'If the current version is cut off, complete it while you revise it.',
    rules.jsonSchema ? 'Answer with the whole revised version as JSON of the same shape, JSON only.' : 'Answer with the whole revised story: plain paragraphs, no title, no markdown, no comments.',
    languageLine(request.base),
    SAME_LANGUAGE,
  ].join(' ');
  const user = [
    `Current version:\n${request.base}`,
    request.history.length ? `Earlier instructions, already applied (oldest first):\n${request.history.map((h, i) => `${i + 1}. ${h}`).join('\n')}` : '',
    `Instructions:\n${request.instructions}`,
  ]
    .filter(Boolean)
    .join('\n\n');
  return { system, user };
}

export async function runRefine(ctx: StageRunContext<unknown>, request: RefineRequest): Promise<StageResult> {
  const rules = TEXT_OUTPUTS[request.stage];
  const result = await streamText(ctx, {
    ...refinePrompt(request),
    ...(rules.jsonSchema ? { jsonSchema: rules.jsonSchema } : {}),
    task: { stage: 'REFINE', target: request.stage, current: request.base, instructions: request.instructions, history: request.history },
  });
  const value = rules.jsonSchema ? parseJsonAnswer(result.text) : { text: result.text };
  return { output: rules.parse(value, ctx.outputs), text: result.text, tokensUsed: result.tokensUsed };
}
