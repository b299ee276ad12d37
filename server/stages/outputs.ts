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

/** One scene of a film, encoded: its clip held or trimmed to its line, framed, maybe with the line burned in. */
export interface FilmSegment {
  sceneIndex: number;
  /** Media path of the segment's MP4 (video only). */
  url: string;
  /** What it was encoded from (clip, frames, frame, fit, burned text, encoder), hashed. */
  key: string;
}

export interface NarrationLine {
  sceneIndex: number;
  text: string;
  /** Where the line starts in the film (the lines before it, back to back). */
  startSeconds: number;
  /** How long it is read: the audio's own length, or an estimate from its length when there is no voice. */
  durationSeconds: number;
  /** Media path of the line's WAV, or null when the provider makes no voice. */
  audioUrl: string | null;
  /** What the line was made from (text, language, voice, speed, provider, model), hashed: an unchanged scene reuses it. */
  key?: string;
}

export type StageOutput =
  | { kind: 'rewrite'; text: string }
  | { kind: 'storyboard'; scenes: Scene[] }
  | { kind: 'images'; images: SceneImage[] }
  | { kind: 'camera'; shots: CameraShot[] }
  | { kind: 'video'; clips: VideoClip[] }
  | { kind: 'narration'; voice: string | null; lines: NarrationLine[]; audioUrl: string | null }
  | {
      kind: 'film';
      /** Media paths of the MP4, its WebVTT subtitles and its poster (JPEG). */
      url: string;
      subtitlesUrl: string;
      posterUrl: string;
      durationSeconds: number;
      width: number;
      height: number;
      /** How it was made: '16:9' | '9:16' | '1:1', 'soft' | 'burned' | 'none', music or not. */
      aspect: string;
      subtitles: string;
      music: boolean;
      /** The encoded scenes it was joined from: an unchanged scene's segment is joined again, not encoded. */
      segments?: FilmSegment[];
    };

/** The media files an output points at (kept when its task completes, deleted with its project). */
export function mediaPathsOf(output: StageOutput | null | undefined): string[] {
  switch (output?.kind) {
    case 'images':
      return output.images.map((i) => i.url);
    case 'video':
      return output.clips.map((c) => c.url);
    case 'narration':
      return [...output.lines.flatMap((l) => (l.audioUrl ? [l.audioUrl] : [])), ...(output.audioUrl ? [output.audioUrl] : [])];
    case 'film':
      return [output.url, output.subtitlesUrl, output.posterUrl, ...(output.segments ?? []).map((s) => s.url)];
    default:
      return [];
  }
}

export interface TaskErrorInfo {
  code: string;
  message: string;
  retryable: boolean;
}
