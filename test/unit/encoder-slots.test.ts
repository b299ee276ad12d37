// Encoders are CPU-bound: no more run at once than the machine has cores, the others wait in
// order, and one cancelled while it waits never starts.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { FFMPEG_PATH, MAX_ENCODERS, runFfmpeg } from '../../server/media/ffmpeg.ts';

const encode = (signal: AbortSignal) =>
  runFfmpeg({ args: ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=3', '-c:v', 'libx264', '-preset', 'slow', '-f', 'null', '-'], signal });

const encodersNow = () => {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-f', FFMPEG_PATH], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
};

describe('encoder slots', () => {
  it(`run at most ${MAX_ENCODERS} encoders at once, and a cancelled waiter never starts`, async () => {
    const runs = Array.from({ length: MAX_ENCODERS + 2 }, () => new AbortController());
    const cancelled = runs.at(-1)!;
    const results = runs.map((c) => encode(c.signal).then(() => 'done', (err: Error) => err.name));
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, encodersNow())), 20);
    cancelled.abort();
    const outcomes = await Promise.all(results);
    clearInterval(watch);
    expect(most).toBeGreaterThan(0);
    expect(MAX_ENCODERS).toBe(availableParallelism());
    expect(most).toBeLessThanOrEqual(MAX_ENCODERS);
    expect(outcomes.slice(0, -1)).toEqual(Array(MAX_ENCODERS + 1).fill('done'));
    expect(outcomes.at(-1)).not.toBe('done');
  }, 60_000);
});
