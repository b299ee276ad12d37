// The offline text provider: no network, deterministic, streams its answer token by token
// at a configurable pace, like a model writing. It ignores the prompt and answers the
// request's task with the offline engine in ./text/.
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError } from '../providers/provider-error.ts';
import type { TextProvider, TextTask } from '../providers/text-provider.ts';
import { offlineCameraShots } from './text/camera.ts';
import { cameraJson, storyboardJson } from './text/json-stream.ts';
import { offlineRefine } from './text/refine.ts';
import { offlineRewrite } from './text/rewrite.ts';
import { offlineStoryboard } from './text/storyboard.ts';
import { tokenize } from './text/tokenize.ts';

/** The whole answer to a task, derived from its input alone. */
export function offlineAnswer(task: TextTask): string {
  switch (task.stage) {
    case 'REWRITE':
      return offlineRewrite({ topic: task.topic, text: task.text, style: task.style, instructions: task.instructions });
    case 'STORYBOARD':
      return storyboardJson(offlineStoryboard(task.story, task.sceneCount));
    case 'CAMERA_MOVEMENT':
      return cameraJson(offlineCameraShots(task.scenes, task.style));
    case 'REFINE':
      return offlineRefine(task);
  }
}

export function createOfflineTextProvider(opts: { tokenDelayMs: number }): TextProvider {
  return {
    name: 'offline',
    model: 'offline-storyteller-1',
    async *stream(request) {
      const tokens = tokenize(offlineAnswer(request.task));
      // Token i is due at start + (i + 1) × delay: timers that fire late do not add up, so the
      // pace is the configured one (a speed shown as tokens/s can be checked against it).
      const start = Date.now();
      for (const [i, delta] of tokens.entries()) {
        if (request.signal.aborted) throw new AbortedError();
        const wait = start + (i + 1) * opts.tokenDelayMs - Date.now();
        if (opts.tokenDelayMs > 0 && wait > 0) await sleep(wait, undefined, { signal: request.signal }).catch(() => {});
        if (request.signal.aborted) throw new AbortedError();
        yield { delta };
      }
      yield { usage: { totalTokens: tokens.length } };
    },
  };
}
