// What NARRATION asks of a voice: one line of a story, read aloud.
import type { Language } from './language.ts';

export interface SpeechRequest {
  text: string;
  /** The story's language: a provider picks its voice by it when `voice` is unset. */
  language: Language;
  /** The provider's own name of a voice (the task's `voice` option). */
  voice?: string;
  /** 0.5 to 2; 1 is the voice's natural pace. */
  speed: number;
  signal: AbortSignal;
  /** The stage's model, when configured; else the provider's own. */
  model?: string;
}

export interface SpeechResult {
  /** The voice that read the line, by the provider's name for it. */
  voice: string | null;
  /** The audio as the provider made it (WAV or MP3), or null for a provider that makes no voice. */
  audio: Buffer | null;
}

export interface SpeechProvider {
  readonly name: string;
  readonly model: string;
  generate(request: SpeechRequest): Promise<SpeechResult>;
}
