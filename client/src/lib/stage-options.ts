import type { StageName } from './stages.ts';

/** Values of the per-stage `input` options form (shared/api/README.md, "Stages"). */
export interface StageOptionValues {
  style: string;
  instructions: string;
  sceneCount: number;
  size: '1024x1024' | '1536x1024' | '1024x1536';
  cameraStyle: string;
  secondsPerClip: 4 | 8 | 12;
  /** NARRATION: the provider's voice name (empty: the default for the story's language). */
  voice: string;
  speed: number;
  /** FILM: '' follows the images. */
  aspect: '' | '16:9' | '9:16' | '1:1';
  subtitles: 'soft' | 'burned' | 'none';
  music: boolean;
}

export function defaultStageOptions(): StageOptionValues {
  return { style: '', instructions: '', sceneCount: 5, size: '1024x1024', cameraStyle: '', secondsPerClip: 4, voice: '', speed: 1, aspect: '', subtitles: 'soft', music: false };
}

/** The `ExecuteStageInput.input` JSON for a stage, or undefined when nothing is set. */
export function stageInput(stage: StageName, v: StageOptionValues): Record<string, unknown> | undefined {
  const input: Record<string, unknown> = {};
  switch (stage) {
    case 'REWRITE':
      if (v.style.trim()) input.style = v.style.trim();
      if (v.instructions.trim()) input.instructions = v.instructions.trim();
      break;
    case 'STORYBOARD':
      input.sceneCount = Math.min(20, Math.max(1, Math.round(Number(v.sceneCount) || 5)));
      break;
    case 'IMAGE_GENERATION':
      input.size = v.size;
      break;
    case 'CAMERA_MOVEMENT':
      if (v.cameraStyle.trim()) input.style = v.cameraStyle.trim();
      break;
    case 'VIDEO_GENERATION':
      input.secondsPerClip = Number(v.secondsPerClip);
      break;
    case 'NARRATION':
      if (v.voice.trim()) input.voice = v.voice.trim();
      if (Number(v.speed) !== 1) input.speed = Math.min(2, Math.max(0.5, Number(v.speed) || 1));
      break;
    case 'FILM':
      if (v.aspect) input.aspect = v.aspect;
      if (v.subtitles !== 'soft') input.subtitles = v.subtitles;
      if (v.music) input.music = true;
      break;
  }
  return Object.keys(input).length > 0 ? input : undefined;
}
