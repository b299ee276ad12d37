// What ffprobe (from the registry package @ffprobe-installer/ffprobe) says about a media
// file: its streams and duration, read by an independent tool rather than by our own code.
import { execFile } from 'node:child_process';
import { writeFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ffprobe from '@ffprobe-installer/ffprobe';
import { FFMPEG_PATH } from '../../server/media/ffmpeg.ts';

export interface Probe {
  durationSeconds: number;
  formatName: string;
  streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; nb_frames?: string; duration?: string; sample_rate?: string }>;
}

export async function probe(bytes: Buffer): Promise<Probe> {
  const dir = await mkdtemp(join(tmpdir(), 'sp-probe-'));
  try {
    const file = join(dir, 'media');
    await writeFile(file, bytes);
    const { stdout } = await promisify(execFile)(ffprobe.path, ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file]);
    const parsed = JSON.parse(stdout) as { format: { duration: string; format_name: string }; streams: Probe['streams'] };
    return { durationSeconds: Number(parsed.format.duration), formatName: parsed.format.format_name, streams: parsed.streams };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Frame `index` of a video as raw RGB24 pixels, decoded by ffmpeg. */
export async function frameOf(bytes: Buffer, index: number): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'sp-frame-'));
  try {
    const file = join(dir, 'media');
    await writeFile(file, bytes);
    const { stdout } = await promisify(execFile)(
      FFMPEG_PATH,
      ['-v', 'error', '-i', file, '-vf', `select=eq(n\\,${index})`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
