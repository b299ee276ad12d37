import type { StageOutput } from '../api/types.ts';

/** A text stage's output as plain text, for a diff: the story, or one block per scene or shot. */
export function outputText(output: StageOutput | null | undefined): string {
  if (!output) return '';
  switch (output.__typename) {
    case 'RewriteOutput':
      return output.text;
    case 'StoryboardOutput':
      return output.scenes.map((s) => `#${s.index + 1} ${s.narration}\n${s.visualPrompt} (${s.durationSeconds} s)`).join('\n\n');
    case 'CameraOutput':
      return output.shots.map((s) => `#${s.sceneIndex + 1} ${s.movement}: ${s.description}`).join('\n\n');
    default:
      return '';
  }
}
