// What the image and video stages ask of a model.
import type { SceneImageSize } from '../media/render-scene.ts';

export interface ImageRequest {
  prompt: string;
  size: SceneImageSize;
  signal: AbortSignal;
  /** The stage's model, when configured; else the provider's own. */
  model?: string;
  /** The offline provider's image for this request: a PNG derived from the scene. */
  offline: () => Buffer;
}

export interface ImageProvider {
  readonly name: string;
  readonly model: string;
  /** A PNG. */
  generate(request: ImageRequest): Promise<Buffer>;
}

export interface VideoRequest {
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
  /** The offline provider's clip for this request: the camera move over the scene's image. */
  offline: () => Buffer;
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
