// Runs a streamed completion for a text stage: every delta goes out as it arrives,
// and the whole answer comes back for the stage to parse and store.
import type { TextRequest } from '../providers/text-provider.ts';
import { askedTokens, languageOf, unitsOf } from './expected-length.ts';
import type { StageRunContext } from './stage.ts';

export async function streamText(
  ctx: StageRunContext<unknown>,
  request: Omit<TextRequest, 'signal'>,
): Promise<{ text: string; tokensUsed: number }> {
  let text = '';
  let tokensUsed = 0;
  let chunks = 0;
  // What the worker's estimator needs to expect the answer's length (see text-meter.ts).
  ctx.textStarted?.({ inputChars: request.user.length, language: languageOf(request.user), askedTokens: askedTokens(request.task), units: unitsOf(request.task) });
  for await (const chunk of ctx.providers.text.stream({ ...request, model: ctx.model, signal: ctx.signal })) {
    if ('delta' in chunk) {
      text += chunk.delta;
      chunks += 1;
      ctx.token(chunk.delta);
    } else {
      tokensUsed = chunk.usage.totalTokens;
    }
  }
  return { text, tokensUsed: tokensUsed || chunks };
}

/** The instruction every prompt carries: answer in the language of the material. */
export const SAME_LANGUAGE =
  'Always write in the language of the material you are given: if it is Chinese, answer in Simplified Chinese (简体中文); if it is English, answer in English.';
