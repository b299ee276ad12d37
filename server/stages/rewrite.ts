// REWRITE: turns the project's topic or text into a short story ready for narration.
import { objectWithKeys, optionalString } from './input-rules.ts';
import type { StageDefinition } from './stage.ts';
import { SAME_LANGUAGE, streamText } from './stream-text.ts';

export interface RewriteInput {
  text?: string;
  style?: string;
  instructions?: string;
}

export const rewriteStage: StageDefinition<RewriteInput> = {
  name: 'REWRITE',
  order: 1,
  label: 'Rewrite',
  dependsOn: [],
  providerKind: 'text',
  creditCost: 10,

  parseInput(raw) {
    const input = objectWithKeys(raw, 'REWRITE', ['text', 'style', 'instructions']);
    return {
      text: optionalString(input, 'text', { max: 20_000, nonEmpty: true }),
      style: optionalString(input, 'style', { max: 200 }),
      instructions: optionalString(input, 'instructions', { max: 2_000 }),
    };
  },

  missing(input, project) {
    if (input.text || project.originalText?.trim() || project.originalTopic?.trim()) return null;
    return 'REWRITE needs material: give the project an originalText or originalTopic, or pass input.text.';
  },

  async run(ctx) {
    const text = ctx.input.text ?? ctx.project.originalText?.trim() ?? undefined;
    const topic = text ? undefined : ctx.project.originalTopic?.trim();
    const user = [
      text ? `Material to rewrite:\n${text}` : `Topic: ${topic}`,
      ctx.input.style ? `Style: ${ctx.input.style}` : '',
      ctx.input.instructions ? `Further instructions: ${ctx.input.instructions}` : '',
    ]
      .filter(Boolean)
      .join('\n\n');
    const result = await streamText(ctx, {
      system: [
        'You are the story editor of a short-video studio.',
        text
          ? 'Rewrite the material into a vivid, coherent short story meant to be narrated over a video: keep its facts and its order, give it an opening and an ending.'
          : 'Write a vivid, coherent short story about the topic, meant to be narrated over a video, with an opening and an ending.',
        'Length: 150 to 300 words, or 300 to 600 characters in Chinese. Plain paragraphs, no title, no markdown.',
        SAME_LANGUAGE,
      ].join(' '),
      user,
      task: { stage: 'REWRITE', topic, text, style: ctx.input.style, instructions: ctx.input.instructions },
    });
    const story = result.text.trim();
    return {
      output: { kind: 'rewrite', text: story },
      text: result.text,
      tokensUsed: result.tokensUsed,
    };
  },
};
