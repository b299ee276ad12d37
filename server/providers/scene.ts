// The vocabulary provider requests share about a storyboard scene: what the scene is, the
// sizes its image can be drawn at, and the camera moves its clip can make. Stages and
// every provider speak it; it imports nothing.

/** What a provider is told about a scene. */
export interface SceneBrief {
  /** 0-based position in the storyboard. */
  index: number;
  narration: string;
  visualPrompt: string;
}

export const SCENE_IMAGE_SIZES = ['1024x1024', '1536x1024', '1024x1536'] as const;
export type SceneImageSize = (typeof SCENE_IMAGE_SIZES)[number];

export function parseImageSize(size: string): { width: number; height: number } {
  if (!(SCENE_IMAGE_SIZES as readonly string[]).includes(size)) throw new RangeError(`unsupported image size ${size}`);
  const [width, height] = size.split('x').map(Number) as [number, number];
  return { width, height };
}

export const CAMERA_MOVEMENTS = [
  'pan-left',
  'pan-right',
  'tilt-up',
  'tilt-down',
  'zoom-in',
  'zoom-out',
  'dolly-in',
  'static',
] as const;
export type CameraMovement = (typeof CAMERA_MOVEMENTS)[number];
