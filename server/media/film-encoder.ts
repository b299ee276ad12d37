// The film, made by ffmpeg in two kinds of steps: each scene's segment (its clip held on its
// last frame or trimmed to its line, in the film's frame, subtitles burned in when asked),
// then one mux (the segments joined without re-encoding, the narration and the music as AAC,
// soft subtitles as a text track). Segments are encoded one at a time: x264 already uses both
// cores, and one at a time gives a steady progress.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { SAMPLE_RATE } from './audio.ts';
import { DETERMINISTIC, H264, runFfmpeg } from './ffmpeg.ts';
import { musicSource } from './music.ts';
import { webvttOf, wrapToWidth } from './webvtt.ts';

export const FILM_ASPECTS = ['16:9', '9:16', '1:1'] as const;
export type FilmAspect = (typeof FILM_ASPECTS)[number];
export const FILM_SUBTITLES = ['soft', 'burned', 'none'] as const;
export type FilmSubtitles = (typeof FILM_SUBTITLES)[number];
export const FILM_FPS = 24;

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** The film's frame for an aspect: `short` is the short side (the height of 16:9). */
export function frameOf(aspect: FilmAspect, short: number): { width: number; height: number } {
  const long = even((short * 16) / 9);
  const side = even(short);
  return aspect === '16:9' ? { width: long, height: side } : aspect === '9:16' ? { width: side, height: long } : { width: side, height: side };
}

/** The aspect closest to a picture's. */
export function aspectOf(size: { width: number; height: number }): FilmAspect {
  const ratio = size.width / size.height;
  return ratio > 1.15 ? '16:9' : ratio < 0.87 ? '9:16' : '1:1';
}

/**
 * Cropping or padding, never stretching: a clip is cropped to fill the frame when that keeps
 * at least 60% of it (3:2 into 16:9 keeps 84%), else it is shown whole over a blurred copy of
 * itself (a square clip in a 16:9 film).
 */
export function fitOf(clip: { width: number; height: number }, frame: { width: number; height: number }): 'crop' | 'pad' {
  const clipRatio = clip.width / clip.height;
  const frameRatio = frame.width / frame.height;
  const kept = Math.min(clipRatio, frameRatio) / Math.max(clipRatio, frameRatio);
  return kept >= 0.6 ? 'crop' : 'pad';
}

/** The bundled font (GNU Unifont, with CJK) that burned subtitles are drawn with: no system font needed. */
const FONT_DIR = dirname(createRequire(import.meta.url).resolve('@fontsource/unifontex/files/unifontex-latin-400-normal.woff'));
const FONT_NAME = 'UnifontExMono';
/** libass sizes fonts against a 288-line script (the frame's height); ours is 1/17 of the short side. */
const fontOf = (frame: { width: number; height: number }) => {
  const px = Math.min(frame.width, frame.height) / 17;
  return { px, size: Math.round(((px * 288) / frame.height) * 10) / 10 };
};

/** Escapes a path for a filter argument (ffmpeg's filter syntax quotes with ' and escapes : and \). */
const filterPath = (path: string) => `'${path.replace(/\\/g, '\\\\').replace(/'/g, "'\\''").replace(/:/g, '\\:')}'`;

export interface SegmentJob {
  /** The scene's clip (MP4, WebM or GIF), as a file. */
  clipPath: string;
  /** Frames of this segment (the line's length at FILM_FPS). */
  frames: number;
  frame: { width: number; height: number };
  fit: 'crop' | 'pad';
  /** The line to burn in, or null. */
  burn: string | null;
  /** Where to write the segment (MP4, H.264, no audio). */
  outPath: string;
  signal: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/**
 * One scene's segment. One scene, one call: this is where issue 17's per-scene reuse plugs in
 * (an unchanged scene in an unchanged frame keeps its segment).
 */
export async function encodeSegment(job: SegmentJob): Promise<void> {
  const { width: W, height: H } = job.frame;
  const seconds = job.frames / FILM_FPS;
  // Held on its last frame past its end; cut at `frames` below when it is longer.
  const timing = `tpad=stop_mode=clone:stop_duration=${(seconds + 1).toFixed(3)},fps=${FILM_FPS}`;
  const fit =
    job.fit === 'crop'
      ? `[0:v]${timing},scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H},setsar=1[framed]`
      : `[0:v]${timing},split=2[bg][fg];[bg]scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H},boxblur=luma_radius='min(w,h)/8':luma_power=3:chroma_radius='min(cw,ch)/8':chroma_power=3,eq=brightness=-0.08[blurred];` +
        `[fg]scale=${W}:${H}:force_original_aspect_ratio=decrease[whole];[blurred][whole]overlay=(W-w)/2:(H-h)/2,setsar=1[framed]`;
  let graph = fit;
  if (job.burn) {
    const vtt = `${job.outPath}.vtt`;
    const font = fontOf(job.frame);
    await writeFile(vtt, webvttOf([{ startSeconds: 0, endSeconds: seconds + 1, text: wrapToWidth(job.burn, Math.floor((W * 0.86) / font.px)) }]));
    // White on a translucent box, so the line reads over any picture (and over text drawn in it).
    const style = `FontName=${FONT_NAME},FontSize=${font.size},PrimaryColour=&H00FFFFFF,OutlineColour=&H60000000,BackColour=&H60000000,BorderStyle=3,Outline=2,Shadow=0,MarginV=12`;
    graph += `;[framed]subtitles=${filterPath(vtt)}:fontsdir=${filterPath(FONT_DIR)}:force_style='${style}'[out]`;
  } else {
    graph += ';[framed]null[out]';
  }
  await runFfmpeg({
    args: ['-i', job.clipPath, '-filter_complex', graph, '-map', '[out]', '-frames:v', String(job.frames), '-r', String(FILM_FPS), ...H264, ...DETERMINISTIC, '-an', '-y', job.outPath],
    signal: job.signal,
    durationSeconds: seconds,
    onProgress: job.onProgress,
  });
}

export interface MuxJob {
  segmentPaths: string[];
  /** Seconds of the whole film (the frames of every segment). */
  seconds: number;
  /** The narration track (WAV), or null without a voice. */
  voicePath: string | null;
  music: boolean;
  /** WebVTT to carry as a soft text track, or null. */
  subtitlesPath: string | null;
  dir: string;
  outPath: string;
  signal: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/** Joins the segments (no re-encode), with the narration and music as AAC and soft subtitles as mov_text. */
export async function muxFilm(job: MuxJob): Promise<void> {
  const list = join(job.dir, 'segments.txt');
  await writeFile(list, job.segmentPaths.map((p) => `file '${p.replace(/'/g, "'\\''")}'\n`).join(''));
  const args = ['-f', 'concat', '-safe', '0', '-i', list];
  let inputs = 1;
  const voice = job.voicePath ? inputs++ : -1;
  if (job.voicePath) args.push('-i', job.voicePath);
  const music = job.music ? inputs++ : -1;
  if (job.music) args.push('-f', 'lavfi', '-i', musicSource(job.seconds, SAMPLE_RATE));
  const subs = job.subtitlesPath ? inputs++ : -1;
  if (job.subtitlesPath) args.push('-i', job.subtitlesPath);
  args.push('-map', '0:v');
  if (voice >= 0 && music >= 0) {
    // amix halves each input; the voice is restored, the music stays quiet beneath it.
    args.push('-filter_complex', `[${voice}:a][${music}:a]amix=inputs=2:duration=longest:dropout_transition=0,volume=2[a]`, '-map', '[a]');
  } else if (voice >= 0) {
    args.push('-map', `${voice}:a`);
  } else if (music >= 0) {
    args.push('-map', `${music}:a`);
  }
  if (voice >= 0 || music >= 0) args.push('-c:a', 'aac', '-b:a', '128k', '-ar', String(SAMPLE_RATE * 2), '-ac', '1');
  if (subs >= 0) args.push('-map', `${subs}:s`, '-c:s', 'mov_text', '-metadata:s:s:0', 'language=und');
  args.push('-c:v', 'copy', '-t', job.seconds.toFixed(3), '-movflags', '+faststart', ...DETERMINISTIC, '-y', job.outPath);
  await runFfmpeg({ args, signal: job.signal, durationSeconds: job.seconds, onProgress: job.onProgress });
}

/** A JPEG still of the film at `atSeconds`, for players and lists. */
export async function posterOf(filmPath: string, atSeconds: number, outPath: string, signal: AbortSignal): Promise<Buffer> {
  await runFfmpeg({ args: ['-ss', atSeconds.toFixed(3), '-i', filmPath, '-frames:v', '1', '-q:v', '3', ...DETERMINISTIC, '-y', outPath], signal });
  return readFile(outPath);
}
