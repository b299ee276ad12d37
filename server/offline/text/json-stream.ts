/**
 * Structured stages (STORYBOARD, CAMERA_MOVEMENT) are streamed the way a real model
 * writes JSON: the pretty-printed document, token by token. Joining the tokens gives
 * back the exact text, and parsing it gives back the exact object.
 */
import type { OfflineCameraShot } from './camera.ts';
import type { OfflineScene } from './storyboard.ts';
import { tokenize } from './tokenize.ts';

/** `{"scenes":[...]}`, pretty-printed with two spaces. */
export function storyboardJson(scenes: readonly OfflineScene[]): string {
  return JSON.stringify({ scenes }, null, 2);
}

/** `{"shots":[...]}`, pretty-printed with two spaces. */
export function cameraJson(shots: readonly OfflineCameraShot[]): string {
  return JSON.stringify({ shots }, null, 2);
}

/** The tokens to stream for a JSON document; `tokens.join('')` is the document. */
export function jsonTokens(json: string): string[] {
  return tokenize(json);
}
