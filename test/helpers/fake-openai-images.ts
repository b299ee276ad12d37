// POST /v1/images/generations for the fake OpenAI server, gpt-image-1 style: always
// `b64_json`, here a tiny solid PNG whose colour is derived from the prompt.
import type { ImageGenerateParams, ImagesResponse } from 'openai/resources/images';
import { colourOf, solidPng } from './fake-openai-media.ts';

/** A 400 the fake answers instead of an image. */
export interface ImageRejection {
  message: string;
  param: string;
}

export function invalidImageRequest(body: unknown): ImageRejection | null {
  const b = body as Partial<Record<string, unknown>> | null;
  if (!b || typeof b !== 'object') return { message: 'The request body must be a JSON object.', param: 'body' };
  if (typeof b.prompt !== 'string' || !b.prompt) return { message: "Missing required parameter: 'prompt'.", param: 'prompt' };
  if (b.stream === true) return { message: 'The fake OpenAI server does not stream images.', param: 'stream' };
  if (b.n != null && (!Number.isInteger(b.n) || (b.n as number) < 1 || (b.n as number) > 10)) return { message: "'n' must be an integer from 1 to 10.", param: 'n' };
  return null;
}

/**
 * The images for a (valid) request: `n` PNGs of `pixels`×`pixels`. The first has the
 * colour `colourOf(prompt)`; later ones `colourOf(prompt + '#' + index)`, so they differ.
 */
export function generateImages(request: ImageGenerateParams, pixels: number): ImagesResponse {
  const n = request.n ?? 1;
  const textTokens = Math.ceil(request.prompt.length / 4);
  return {
    created: Math.floor(Date.now() / 1000),
    data: Array.from({ length: n }, (_, i) => ({
      b64_json: solidPng(pixels, pixels, colourOf(i === 0 ? request.prompt : `${request.prompt}#${i}`)).toString('base64'),
    })),
    // No `size`/`quality`: the PNGs are tiny whatever was asked, and the fake says so by omission.
    output_format: 'png',
    usage: {
      input_tokens: textTokens,
      input_tokens_details: { image_tokens: 0, text_tokens: textTokens },
      output_tokens: 272 * n,
      total_tokens: textTokens + 272 * n,
    },
  };
}
