// ffmpeg as a child process: the binary comes from the registry package
// @ffmpeg-installer/ffmpeg (a static build with libx264, AAC, zoompan and libass), so
// `npm install` alone brings it. Encoding is CPU-bound; in a child it never blocks the event
// loop, and the task's abort signal (cancel, time limit, a lost job) kills it at once.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { AbortedError, ProviderError } from '../providers/provider-error.ts';

export const FFMPEG_PATH: string = ffmpegInstaller.path;
/** What tasks name as the producer of what ffmpeg made. */
export const FFMPEG_NAME = `ffmpeg-${ffmpegInstaller.version}`;

/**
 * Output flags for byte-identical files from identical inputs: no encoder or muxer version
 * strings, no creation time, no inherited metadata, and a fixed thread count (x264's
 * output depends on how many threads slice the frames).
 */
export const DETERMINISTIC = ['-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact', '-map_metadata', '-1', '-threads', '2'];

/** H.264 in yuv420p with the index first, so a browser starts playing before the download ends. */
export const H264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-profile:v', 'high', '-movflags', '+faststart'];

export interface FfmpegRun {
  /** Arguments after the global ones (inputs, filters, outputs). */
  args: string[];
  signal: AbortSignal;
  /** Expected length of the output: with it, progress is reported as a fraction. */
  durationSeconds?: number;
  /** From ffmpeg's `-progress` report, about twice a second: 0..1 of `durationSeconds`. */
  onProgress?: (fraction: number) => void;
  /** Bytes for `-i pipe:0`. */
  stdin?: Buffer;
}

/** Keeps the end of what ffmpeg said on stderr, for the log when it fails. */
const STDERR_TAIL = 4000;

/**
 * Encoders running at once in this process, at most: each is CPU-bound (two threads), and a
 * worker runs up to WORKER_CONCURRENCY tasks, so twenty films at once would only make all of
 * them late and starve the rest of the machine. Waiting encodes start in order.
 */
export const MAX_ENCODERS = Math.max(1, availableParallelism());
let running = 0;
const waiting: Array<() => void> = [];

/** Waits for an encoder slot (or the abort); resolves with the function that frees it. */
function encoderSlot(signal: AbortSignal): Promise<() => void> {
  const release = () => {
    running -= 1;
    waiting.shift()?.();
  };
  if (running < MAX_ENCODERS) {
    running += 1;
    return Promise.resolve(release);
  }
  return new Promise((resolve, reject) => {
    const go = () => {
      signal.removeEventListener('abort', abort);
      running += 1;
      resolve(release);
    };
    const abort = () => {
      waiting.splice(waiting.indexOf(go), 1);
      reject(new AbortedError());
    };
    waiting.push(go);
    signal.addEventListener('abort', abort, { once: true });
  });
}

/** Runs ffmpeg when a slot is free; resolves with its stdout when it exits 0. */
export async function runFfmpeg(run: FfmpegRun): Promise<Buffer> {
  if (run.signal.aborted) throw new AbortedError();
  const release = await encoderSlot(run.signal);
  try {
    return await spawnFfmpeg(run);
  } finally {
    release();
  }
}

function spawnFfmpeg(run: FfmpegRun): Promise<Buffer> {
  if (run.signal.aborted) return Promise.reject(new AbortedError());
  return new Promise((resolve, reject) => {
    const child = spawn(FFMPEG_PATH, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats', '-progress', 'pipe:2', ...run.args], {
      stdio: [run.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      signal: run.signal,
      killSignal: 'SIGKILL',
    });
    const out: Buffer[] = [];
    let errText = '';
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        // `-progress` writes key=value lines; out_time_us (out_time_ms in this build, also µs).
        const m = /^out_time_(?:us|ms)=(\d+)$/.exec(line);
        if (m) {
          if (run.durationSeconds && run.onProgress) run.onProgress(Math.min(1, Number(m[1]) / 1e6 / run.durationSeconds));
        } else if (!/^[a-z_0-9]+=/.test(line)) {
          errText = (errText + line + '\n').slice(-STDERR_TAIL);
        }
      }
    });
    if (run.stdin) {
      child.stdin!.on('error', () => {}); // ffmpeg may exit before reading it all; the exit code tells
      child.stdin!.end(run.stdin);
    }
    child.on('error', (err) => {
      if (run.signal.aborted) reject(new AbortedError());
      else reject(new ProviderError('ENCODER_FAILED', 'The media encoder could not run.', false, undefined, err.message));
    });
    child.on('close', (code) => {
      if (run.signal.aborted) return reject(new AbortedError());
      if (code === 0) return resolve(Buffer.concat(out));
      reject(new ProviderError('ENCODER_FAILED', 'The media encoder failed.', false, undefined, `ffmpeg exited ${code}: ${errText.trim()}`));
    });
  });
}

/** A scratch directory for one encode, removed afterwards whatever happened. */
export async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sp-media-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
