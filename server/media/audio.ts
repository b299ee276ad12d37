// Narration audio in one form: whatever a voice returns (WAV at any rate, MP3, …) becomes
// 16-bit mono PCM at 24 kHz through ffmpeg, so a line's duration is exact (its bytes) and
// lines join into one track by concatenation.
import { DETERMINISTIC, runFfmpeg } from './ffmpeg.ts';

export const SAMPLE_RATE = 24_000;
const BYTES_PER_SECOND = SAMPLE_RATE * 2;

/** The audio's samples as 16-bit little-endian mono PCM at SAMPLE_RATE. */
export function decodeToPcm(audio: Buffer, signal: AbortSignal): Promise<Buffer> {
  return runFfmpeg({ args: ['-i', 'pipe:0', '-ac', '1', '-ar', String(SAMPLE_RATE), ...DETERMINISTIC, '-f', 's16le', 'pipe:1'], stdin: audio, signal });
}

export const secondsOfPcm = (pcm: Buffer): number => pcm.length / BYTES_PER_SECOND;

/** Silence of `seconds` (a line without a voice, in a track that has voices). */
export const silencePcm = (seconds: number): Buffer => Buffer.alloc(Math.round(seconds * SAMPLE_RATE) * 2);

/** A WAV file of PCM from decodeToPcm. */
export function wavOfPcm(pcm: Buffer): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(BYTES_PER_SECOND, 28);
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
