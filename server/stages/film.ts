// FILM: the finished film. The clips in scene order, each held on its last frame or trimmed
// to its narration line; the narration as the audio track (with quiet generated music if
// asked); subtitles soft (a WebVTT file and a text track), burned in, or none; in the chosen
// aspect by cropping or padding. ffmpeg does the work in child processes (media/film-encoder.ts);
// its progress becomes ProgressEvents with an ETA, and a cancel kills it at once. Each scene's
// encoded segment is stored with the output, so a later run encodes only the scenes that
// changed and joins the rest as they are.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BadInputError, PreconditionError } from '../errors.ts';
import { FFMPEG_NAME, withTempDir } from '../media/ffmpeg.ts';
import { aspectOf, encodeSegment, FILM_ASPECTS, FILM_FPS, FILM_SUBTITLES, fitOf, frameOf, muxFilm, posterOf, type FilmAspect, type FilmSubtitles } from '../media/film-encoder.ts';
import type { MediaStore } from '../media/media-store.ts';
import { webvttOf } from '../media/webvtt.ts';
import { AbortedError } from '../providers/provider-error.ts';
import { hashOf } from './content-hash.ts';
import { objectWithKeys, optionalOneOf } from './input-rules.ts';
import type { FilmSegment } from './outputs.ts';
import { reusableBy } from './reuse.ts';
import type { StageDefinition, StageRunContext } from './stage.ts';

export interface FilmInput {
  /** Unset: the aspect closest to the images'. */
  aspect?: FilmAspect;
  /** @default 'soft' */
  subtitles: FilmSubtitles;
  /** Quiet generated music under the voice. @default false */
  music: boolean;
}

/** Share of the work that is the segments; the mux (audio encode, copy of the video) is the rest. */
const SEGMENTS_SHARE = 0.85;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
function pngSize(png: Buffer | null): { width: number; height: number } | null {
  return png && png.length > 24 && png.subarray(0, 8).equals(PNG_SIGNATURE) ? { width: png.readUInt32BE(16), height: png.readUInt32BE(20) } : null;
}

async function mediaBytes(media: MediaStore, url: string, what: string): Promise<Buffer> {
  const key = media.keyOf(url);
  const bytes = key ? await media.get(key) : null;
  if (!bytes) throw new PreconditionError(`${what} is missing; run the stage that made it again.`);
  return bytes;
}

/** A stored segment's bytes, or null when it is gone (then it is encoded again). */
async function keptBytes(media: MediaStore, url: string): Promise<Buffer | null> {
  const key = media.keyOf(url);
  return key ? media.get(key) : null;
}

/** Reports progress at most every 250 ms (and at 100%), with the time left from the pace so far. */
function progressReporter(ctx: StageRunContext<FilmInput>, totalSteps: number) {
  const started = Date.now();
  let last = 0;
  let chain = Promise.resolve();
  return {
    report(fraction: number, step: number, force = false) {
      const now = Date.now();
      if (!force && now - last < 250) return chain;
      last = now;
      const progress = Math.min(100, fraction * 100);
      const elapsed = (now - started) / 1000;
      const etaSeconds = progress > 0 && progress < 100 ? Math.round((elapsed * (100 - progress)) / progress) : undefined;
      chain = chain.then(() => ctx.progress({ progress, step, totalSteps, etaSeconds, message: `${step}/${totalSteps}` }));
      return chain;
    },
    done: () => chain,
  };
}

export function createFilmStage(opts: {
  /** The film's short side in pixels (the height of 16:9). @default 720 (config FILM_HEIGHT) */
  filmHeight: number;
}): StageDefinition<FilmInput> {
  return {
    name: 'FILM',
    order: 7,
    label: 'Film',
    dependsOn: ['VIDEO_GENERATION', 'NARRATION'],
    providerKind: 'film',
    producer: { name: 'ffmpeg', model: FFMPEG_NAME },
    reads: ['IMAGE_GENERATION'],
    creditCost: 30,

    parseInput(raw) {
      const input = objectWithKeys(raw, 'FILM', ['aspect', 'subtitles', 'music']);
      const aspect = input.aspect === undefined || input.aspect === null ? undefined : optionalOneOf(input, 'aspect', FILM_ASPECTS, '16:9');
      const music = input.music ?? false;
      if (typeof music !== 'boolean') throw new BadInputError('input.music', 'must be true or false');
      return { ...(aspect ? { aspect } : {}), subtitles: optionalOneOf(input, 'subtitles', FILM_SUBTITLES, 'soft'), music };
    },

    missing(_input, _project, outputs) {
      const lacking = (['VIDEO_GENERATION', 'NARRATION'] as const).filter((s) => !outputs[s]);
      return lacking.length ? `FILM needs the output of ${lacking.join(' and ')}; run ${lacking.length > 1 ? 'them' : 'it'} first.` : null;
    },

    async run(ctx) {
      const video = ctx.outputs.VIDEO_GENERATION;
      const narration = ctx.outputs.NARRATION;
      const images = ctx.outputs.IMAGE_GENERATION?.kind === 'images' ? ctx.outputs.IMAGE_GENERATION.images : [];
      if (video?.kind !== 'video' || narration?.kind !== 'narration') throw new PreconditionError('FILM needs the output of VIDEO_GENERATION and NARRATION; run them first.');
      const lines = [...narration.lines].sort((a, b) => a.sceneIndex - b.sceneIndex);
      const clips = lines.map((line) => {
        const clip = video.clips.find((c) => c.sceneIndex === line.sceneIndex);
        if (!clip) throw new PreconditionError(`Scene ${line.sceneIndex + 1} has a narration line but no clip; run VIDEO_GENERATION again.`);
        return clip;
      });
      if (lines.length === 0) throw new PreconditionError('The narration has no lines; run NARRATION again.');

      // The pictures' shape decides the default aspect and whether a clip is cropped or padded.
      const firstImage = images.find((i) => i.sceneIndex === lines[0].sceneIndex) ?? images[0];
      const picture = (firstImage ? pngSize(await mediaBytes(ctx.media, firstImage.url, 'An image')) : null) ?? { width: 16, height: 9 };
      const aspect = ctx.input.aspect ?? aspectOf(picture);
      const frame = frameOf(aspect, opts.filmHeight);
      const fit = fitOf(picture, frame);

      // Segment boundaries on the frame grid of the whole film, so rounding never adds up.
      const bounds = [0];
      for (const line of lines) bounds.push(Math.round((line.startSeconds + line.durationSeconds) * FILM_FPS));
      const frames = lines.map((_, i) => Math.max(1, bounds[i + 1] - bounds[i]));
      const totalFrames = frames.reduce((a, b) => a + b, 0);
      const seconds = totalFrames / FILM_FPS;
      const steps = lines.length + 1;
      const reporter = progressReporter(ctx, steps);
      await reporter.report(0, 0, true);

      // Scenes whose segment is encoded from the same as before join the film as they are:
      // only the others are encoded (and charged); the join itself is always done again.
      const reusable = reusableBy(ctx.earlier, (o) => (o.kind === 'film' ? (o.segments ?? []) : []));
      const segments: FilmSegment[] = [];
      let encoded = 0;
      const made = await withTempDir(async (dir) => {
        const segmentPaths: string[] = [];
        let framesDone = 0;
        for (const [i, line] of lines.entries()) {
          if (ctx.signal.aborted) throw new AbortedError();
          const outPath = join(dir, `segment-${i}.mp4`);
          const burn = ctx.input.subtitles === 'burned' ? line.text : null;
          const key = hashOf({ clip: clips[i].url, frames: frames[i], frame, fit, burn, encoder: FFMPEG_NAME });
          // Encoding is deterministic, so an earlier segment of the same key is the same bytes.
          const earlier = reusable.get(key);
          const kept = earlier ? await keptBytes(ctx.media, earlier.url) : null;
          if (kept) {
            await writeFile(outPath, kept);
            segments.push({ sceneIndex: line.sceneIndex, url: earlier!.url, key });
          } else {
            const clipPath = join(dir, `clip-${i}`);
            await writeFile(clipPath, await mediaBytes(ctx.media, clips[i].url, `The clip of scene ${line.sceneIndex + 1}`));
            await encodeSegment({
              clipPath,
              frames: frames[i],
              frame,
              fit,
              burn,
              outPath,
              signal: ctx.signal,
              onProgress: (f) => void reporter.report(((framesDone + f * frames[i]) / totalFrames) * SEGMENTS_SHARE, i).catch(() => {}),
            });
            segments.push({ sceneIndex: line.sceneIndex, url: (await ctx.media.put(await readFile(outPath), 'mp4')).path, key });
            encoded++;
          }
          framesDone += frames[i];
          segmentPaths.push(outPath);
          await reporter.report((framesDone / totalFrames) * SEGMENTS_SHARE, i + 1, true);
        }
        const vtt = webvttOf(lines.map((l) => ({ startSeconds: l.startSeconds, endSeconds: l.startSeconds + l.durationSeconds, text: l.text })));
        const vttPath = join(dir, 'subtitles.vtt');
        await writeFile(vttPath, vtt);
        let voicePath: string | null = null;
        if (narration.audioUrl) {
          voicePath = join(dir, 'voice.wav');
          await writeFile(voicePath, await mediaBytes(ctx.media, narration.audioUrl, 'The narration track'));
        }
        const filmPath = join(dir, 'film.mp4');
        await muxFilm({
          segmentPaths,
          seconds,
          voicePath,
          music: ctx.input.music,
          subtitlesPath: ctx.input.subtitles === 'soft' ? vttPath : null,
          dir,
          outPath: filmPath,
          signal: ctx.signal,
          onProgress: (f) => void reporter.report(SEGMENTS_SHARE + f * (1 - SEGMENTS_SHARE), lines.length).catch(() => {}),
        });
        const poster = await posterOf(filmPath, Math.min(seconds / 2, lines[0].durationSeconds / 2), join(dir, 'poster.jpg'), ctx.signal);
        return { film: await readFile(filmPath), poster, vtt };
      });
      await reporter.report(1, steps, true);
      await reporter.done();
      const film = await ctx.media.put(made.film, 'mp4');
      const subtitles = await ctx.media.put(Buffer.from(made.vtt, 'utf8'), 'vtt');
      const poster = await ctx.media.put(made.poster, 'jpg');
      return {
        output: {
          kind: 'film',
          url: film.path,
          durationSeconds: Math.round(seconds * 1000) / 1000,
          width: frame.width,
          height: frame.height,
          subtitlesUrl: subtitles.path,
          posterUrl: poster.path,
          aspect,
          subtitles: ctx.input.subtitles,
          music: ctx.input.music,
          segments,
        },
        scenes: { generated: encoded, total: lines.length },
      };
    },
  };
}
