// NARRATION: each scene's narration read aloud, one audio file per line, in the story's
// language, and the lines back to back as one track. Line timing comes from the audio itself
// (its decoded length); a provider that makes no voice (the offline one without espeak-ng)
// gets an estimate from the line's length, and no audio.
import { decodeToPcm, secondsOfPcm, silencePcm, wavOfPcm } from '../media/audio.ts';
import type { MediaStore } from '../media/media-store.ts';
import { BadInputError } from '../errors.ts';
import { detectLanguage, type Language } from '../providers/language.ts';
import type { SpeechProvider } from '../providers/speech-provider.ts';
import { objectWithKeys, optionalString } from './input-rules.ts';
import type { NarrationLine, Scene } from './outputs.ts';
import { runSteps } from './parallel-steps.ts';
import type { StageDefinition } from './stage.ts';

export interface NarrationInput {
  /** The provider's name of a voice; unset: the configured voice for the story's language. */
  voice?: string;
  /** 0.5 to 2. @default 1 */
  speed: number;
}

/** Lines spoken at once: two cores here, and a speech API's rate limits elsewhere. */
const IN_FLIGHT = 2;

/** Reading pace without a voice: English words, or Chinese characters, per second at speed 1. */
const WORDS_PER_SECOND = 2.6;
const HAN_PER_SECOND = 4.2;

/** How long a line takes to read when there is no audio to measure. */
export function estimateSeconds(text: string, speed: number): number {
  const han = (text.match(/\p{Script=Han}/gu) ?? []).length;
  const words = text.replace(/\p{Script=Han}/gu, ' ').split(/\s+/).filter((w) => /\p{L}|\d/u.test(w)).length;
  return Math.max(1, Math.round(((han / HAN_PER_SECOND + words / WORDS_PER_SECOND) / speed) * 100) / 100);
}

/** One line, before its place in the film is known. */
interface SpokenLine {
  line: Omit<NarrationLine, 'startSeconds'>;
  voice: string | null;
  /** Its samples, for the whole track (null without a voice). */
  pcm: Buffer | null;
}

/**
 * Speaks one scene's line and stores its audio. One scene, one call: this is where issue 17's
 * per-scene reuse plugs in (a scene whose text, voice, speed and provider are unchanged keeps
 * its line and file instead of calling the provider).
 */
export async function speakLine(
  scene: Scene,
  opts: { speech: SpeechProvider; language: Language; input: NarrationInput; model?: string; media: MediaStore; signal: AbortSignal },
): Promise<SpokenLine> {
  const text = scene.narration.trim();
  const result = await opts.speech.generate({ text, language: opts.language, voice: opts.input.voice, speed: opts.input.speed, model: opts.model, signal: opts.signal });
  if (!result.audio) {
    return { line: { sceneIndex: scene.index, text, durationSeconds: estimateSeconds(text, opts.input.speed), audioUrl: null }, voice: null, pcm: null };
  }
  const pcm = await decodeToPcm(result.audio, opts.signal);
  const stored = await opts.media.put(wavOfPcm(pcm), 'wav');
  return { line: { sceneIndex: scene.index, text, durationSeconds: Math.round(secondsOfPcm(pcm) * 1000) / 1000, audioUrl: stored.path }, voice: result.voice, pcm };
}

export const narrationStage: StageDefinition<NarrationInput> = {
  name: 'NARRATION',
  order: 6,
  label: 'Narration',
  dependsOn: ['STORYBOARD'],
  providerKind: 'audio',
  creditCost: 20,

  parseInput(raw) {
    const input = objectWithKeys(raw, 'NARRATION', ['voice', 'speed']);
    const voice = optionalString(input, 'voice', { max: 64, nonEmpty: true });
    if (voice !== undefined && !/^[A-Za-z0-9][A-Za-z0-9 _.:+-]*$/.test(voice)) {
      throw new BadInputError('input.voice', 'must be a voice name of letters, digits, spaces and _ . : + -');
    }
    const speed = input.speed ?? 1;
    if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < 0.5 || speed > 2) throw new BadInputError('input.speed', 'must be a number from 0.5 to 2');
    return { ...(voice !== undefined ? { voice: voice.trim() } : {}), speed };
  },

  missing(_input, _project, outputs) {
    return outputs.STORYBOARD?.kind === 'storyboard' ? null : 'NARRATION needs the output of STORYBOARD; run it first.';
  },

  async run(ctx) {
    const storyboard = ctx.outputs.STORYBOARD;
    const scenes = storyboard?.kind === 'storyboard' ? storyboard.scenes : [];
    const language = detectLanguage(scenes.map((s) => s.narration).join('\n'));
    await ctx.progress({ progress: 0, step: 0, totalSteps: scenes.length, message: `0/${scenes.length}` });
    const spoken = await runSteps<Scene, SpokenLine>(
      scenes,
      {
        concurrency: IN_FLIGHT,
        signal: ctx.signal,
        onStep: ({ done, total, etaSeconds }) => ctx.progress({ progress: (done / total) * 100, step: done, totalSteps: total, etaSeconds, message: `${done}/${total}` }),
      },
      (scene) => speakLine(scene, { speech: ctx.providers.audio, language, input: ctx.input, model: ctx.model, media: ctx.media, signal: ctx.signal }),
    );
    // Back to back, in scene order: each line starts where the one before ended.
    let at = 0;
    const lines: NarrationLine[] = spoken.map(({ line }) => {
      const placed = { ...line, startSeconds: Math.round(at * 1000) / 1000 };
      at += line.durationSeconds;
      return placed;
    });
    const voiced = spoken.some((s) => s.pcm);
    const track = voiced ? await ctx.media.put(wavOfPcm(Buffer.concat(spoken.map((s) => s.pcm ?? silencePcm(s.line.durationSeconds)))), 'wav') : null;
    return { output: { kind: 'narration', voice: spoken.find((s) => s.voice)?.voice ?? null, lines, audioUrl: track?.path ?? null } };
  },
};
