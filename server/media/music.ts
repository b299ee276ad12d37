// Quiet background music the project makes itself: a slow pad of three sine voices (an A
// minor chord an octave apart from the voice's range) whose loudness breathes at different
// rates, faded in and out. No downloaded asset; the same samples every time.

/** The lavfi source of `seconds` of music at `sampleRate`, for ffmpeg's `-f lavfi -i`. */
export function musicSource(seconds: number, sampleRate: number): string {
  const voices = [
    [110, 0.05, 0.11],
    [164.81, 0.035, 0.07],
    [261.63, 0.025, 0.13],
  ]
    .map(([hz, level, breath]) => `${level}*sin(2*PI*${hz}*t)*(0.6+0.4*sin(2*PI*${breath}*t))`)
    .join('+');
  const fade = Math.min(1.5, seconds / 4);
  return `aevalsrc='${voices}':s=${sampleRate}:d=${seconds.toFixed(3)},afade=t=in:d=${fade.toFixed(2)},afade=t=out:st=${Math.max(0, seconds - fade).toFixed(3)}:d=${fade.toFixed(2)}`;
}
