// Typed stage outputs. `kind` tells the GraphQL union which member an output is.
export interface Scene {
  index: number;
  narration: string;
  visualPrompt: string;
  durationSeconds: number;
}
export interface SceneImage {
  sceneIndex: number;
  url: string;
  prompt: string;
  /** What the image was made from (prompt, size, provider, model), hashed: an unchanged scene reuses it. */
  key?: string;
}
export interface CameraShot {
  sceneIndex: number;
  movement: string;
  description: string;
}
export interface VideoClip {
  sceneIndex: number;
  url: string;
  durationSeconds: number;
  /** What the clip was made from (image, shot, prompt, length, provider, model), hashed: an unchanged scene reuses it. */
  key?: string;
}

export type StageOutput =
  | { kind: 'rewrite'; text: string }
  | { kind: 'storyboard'; scenes: Scene[] }
  | { kind: 'images'; images: SceneImage[] }
  | { kind: 'camera'; shots: CameraShot[] }
  | { kind: 'video'; clips: VideoClip[] };

export interface TaskErrorInfo {
  code: string;
  message: string;
  retryable: boolean;
}
