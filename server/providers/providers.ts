// The providers a stage runs on, one of each kind: whatever serves them (a model API,
// a failover chain, the offline engine), a stage reads the same.
import type { ImageProvider, VideoProvider } from './media-provider.ts';
import type { SpeechProvider } from './speech-provider.ts';
import type { TextProvider } from './text-provider.ts';

export interface Providers {
  text: TextProvider;
  image: ImageProvider;
  video: VideoProvider;
  /** NARRATION's voice. */
  audio: SpeechProvider;
}
