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
import { hashOf } from './content-hash.ts';
import type { NarrationLine, Scene, StageOutput } from './outputs.ts';
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

/** A line of an earlier output made from the same text, voice, speed and provider, and the voice that read it. */
export interface ReusableLine {
  line: NarrationLine;
  voice: string | null;
}

/** What a line is made from (text, language, voice, speed, provider, model), hashed: an unchanged scene keeps its line. */
export function lineKeyOf(text: string, opts: { speech: SpeechProvider; language: Language; input: NarrationInput; model?: string }): string {
  return hashOf({ text, language: opts.language, voice: opts.input.voice ?? null, speed: opts.input.speed, provider: opts.speech.name, model: opts.model ?? opts.speech.model });
}

/** The PCM of a WAV that wavOfPcm wrote (a stored line), or null when the file is gone or not one. */
async function storedPcm(media: MediaStore, url: string): Promise<Buffer | null> {
  const key = media.keyOf(url);
  const wav = key ? await media.get(key) : null;
  return wav && wav.length >= 44 && wav.toString('latin1', 0, 4) === 'RIFF' && wav.toString('latin1', 36, 40) === 'data' ? wav.subarray(44) : null;
}

/** The earlier line kept for this scene, with its samples; null when its audio is gone (then it is spoken again). */
export async function keptLine(scene: Scene, reusable: ReusableLine, opts: { media: MediaStore; key: string }): Promise<SpokenLine | null> {
  const kept = { line: { ...omitStart(reusable.line), sceneIndex: scene.index, key: opts.key }, voice: reusable.voice };
  if (!reusable.line.audioUrl) return { ...kept, pcm: null };
  const pcm = await storedPcm(opts.media, reusable.line.audioUrl);
  return pcm ? { ...kept, pcm } : null;
}

/**
 * Speaks one scene's line and stores its audio. One scene, one call: an earlier line with the
 * same key (`reusable`) is kept, file and all, instead of calling the provider, unless its
 * audio is gone.
 */
export async function speakLine(
  scene: Scene,
  opts: { speech: SpeechProvider; language: Language; input: NarrationInput; model?: string; media: MediaStore; signal: AbortSignal; reusable?: ReusableLine },
): Promise<SpokenLine> {
  const text = scene.narration.trim();
  const key = lineKeyOf(text, opts);
  const kept = opts.reusable ? await keptLine(scene, opts.reusable, { media: opts.media, key }) : null;
  if (kept) return kept;
  const result = await opts.speech.generate({ text, language: opts.language, voice: opts.input.voice, speed: opts.input.speed, model: opts.model, signal: opts.signal });
  if (!result.audio) {
    return { line: { sceneIndex: scene.index, text, durationSeconds: estimateSeconds(text, opts.input.speed), audioUrl: null, key }, voice: null, pcm: null };
  }
  const pcm = await decodeToPcm(result.audio, opts.signal);
  const stored = await opts.media.put(wavOfPcm(pcm), 'wav');
  return { line: { sceneIndex: scene.index, text, durationSeconds: Math.round(secondsOfPcm(pcm) * 1000) / 1000, audioUrl: stored.path, key }, voice: result.voice, pcm };
}

function omitStart(line: NarrationLine): Omit<NarrationLine, 'startSeconds'> {
  const { startSeconds: _start, ...rest } = line;
  return rest;
}

/** Lines of earlier outputs by key, newest first, each with the voice of the output it is in. */
function reusableLines(earlier: readonly StageOutput[] | undefined): Map<string, ReusableLine> {
  const byKey = new Map<string, ReusableLine>();
  for (const output of earlier ?? []) {
    if (output.kind !== 'narration') continue;
    for (const line of output.lines) if (line.key && !byKey.has(line.key)) byKey.set(line.key, { line, voice: line.audioUrl ? output.voice : null });
  }
  return byKey;
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
    const opts = { speech: ctx.providers.audio, language, input: ctx.input, model: ctx.model, media: ctx.media, signal: ctx.signal };
    // Scenes whose line is made from the same as before keep it: only the others are spoken (and charged).
    const reusable = reusableLines(ctx.earlier);
    const kept = new Map<number, SpokenLine>();
    for (const scene of scenes) {
      const key = lineKeyOf(scene.narration.trim(), opts);
      const earlier = reusable.get(key);
      const line = earlier ? await keptLine(scene, earlier, { media: ctx.media, key }) : null;
      if (line) kept.set(scene.index, line);
    }
    const todo = scenes.filter((scene) => !kept.has(scene.index));
    await ctx.progress({ progress: todo.length ? 0 : 100, step: 0, totalSteps: todo.length, message: `0/${todo.length}` });
    const made = await runSteps<Scene, SpokenLine>(
      todo,
      {
        concurrency: IN_FLIGHT,
        signal: ctx.signal,
        onStep: ({ done, total, etaSeconds }) => ctx.progress({ progress: (done / total) * 100, step: done, totalSteps: total, etaSeconds, message: `${done}/${total}` }),
      },
      (scene) => speakLine(scene, opts),
    );
    const spoken = scenes.map((scene) => made.find((m) => m.line.sceneIndex === scene.index) ?? kept.get(scene.index)!);
    // Back to back, in scene order: each line starts where the one before ended.
    let at = 0;
    const lines: NarrationLine[] = spoken.map(({ line }) => {
      const placed = { ...line, startSeconds: Math.round(at * 1000) / 1000 };
      at += line.durationSeconds;
      return placed;
    });
    const voiced = spoken.some((s) => s.pcm);
    const track = voiced ? await ctx.media.put(wavOfPcm(Buffer.concat(spoken.map((s) => s.pcm ?? silencePcm(s.line.durationSeconds)))), 'wav') : null;
    return {
      output: { kind: 'narration', voice: spoken.find((s) => s.voice)?.voice ?? null, lines, audioUrl: track?.path ?? null },
      scenes: { generated: todo.length, total: scenes.length },
    };
  },
};
