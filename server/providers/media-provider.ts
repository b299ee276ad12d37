// What the image and video stages ask of a model.
import type { SceneBrief, SceneImageSize } from './scene.ts';

export interface ImageRequest {
  /** The scene to picture; `prompt` is what a model is told about it. */
  scene: SceneBrief;
  prompt: string;
  size: SceneImageSize;
  signal: AbortSignal;
  /** The stage's model, when configured; else the provider's own. */
  model?: string;
}

export interface ImageProvider {
  readonly name: string;
  readonly model: string;
  /** A PNG. */
  generate(request: ImageRequest): Promise<Buffer>;
}

export interface VideoRequest {
  /** The scene the clip shows; `prompt` is what a model is told about it and the shot. */
  scene: SceneBrief;
  /** The shot's camera move: one of CAMERA_MOVEMENTS (./scene.ts) as the camera stage gave it. */
  movement: string;
  prompt: string;
  /** The scene's image (PNG) the clip starts from. */
  image: Buffer;
  seconds: 4 | 8 | 12;
  orientation: 'landscape' | 'portrait' | 'square';
  signal: AbortSignal;
  /** The stage's model, when configured; else the provider's own. */
  model?: string;
  /** 0 to 100 while the provider works. */
  onProgress: (percent: number) => void;
}

export interface VideoResult {
  bytes: Buffer;
  ext: 'mp4' | 'gif' | 'webm';
}

export interface VideoProvider {
  readonly name: string;
  readonly model: string;
  generate(request: VideoRequest): Promise<VideoResult>;
}
