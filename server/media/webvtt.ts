// Subtitles of the narration: a WebVTT file for players (the <track> of the web client), and
// the same cues wrapped to the frame for burning in.

export interface Cue {
  startSeconds: number;
  endSeconds: number;
  text: string;
}

const stamp = (seconds: number): string => {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
};

/** A cue's text may not hold a blank line or `-->`; `<` and `&` are markup in WebVTT. */
const cueText = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/-->/g, '→')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n');

export function webvttOf(cues: readonly Cue[]): string {
  const body = cues.map((c, i) => `${i + 1}\n${stamp(c.startSeconds)} --> ${stamp(c.endSeconds)}\n${cueText(c.text)}`).join('\n\n');
  return `WEBVTT\n\n${body}\n`;
}

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

/**
 * Breaks `text` into lines at most `maxEm` wide (a CJK character is 1 em, others half), at
 * spaces for words and anywhere between CJK characters, never putting closing punctuation
 * first on a line. The burner (libass) wraps only at spaces, so Chinese would run off the frame.
 */
export function wrapToWidth(text: string, maxEm: number): string {
  const lines: string[] = [];
  let line = '';
  let width = 0;
  const widthOf = (s: string) => [...s].reduce((w, c) => w + (WIDE.test(c) ? 1 : 0.5), 0);
  // Tokens: a run of non-CJK non-space characters (a word), a single CJK character, or spaces.
  for (const token of text.trim().match(/\s+|[^\s\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]+|./gu) ?? []) {
    const space = /^\s+$/.test(token);
    const w = space ? 0.5 : widthOf(token);
    const closing = /^[，。、；：！？）」』》,.;:!?)]$/u.test(token);
    if (line && width + w > maxEm && !space && !closing) {
      lines.push(line.trim());
      line = '';
      width = 0;
    }
    if (space && !line) continue;
    line += space ? ' ' : token;
    width += w;
  }
  if (line.trim()) lines.push(line.trim());
  return lines.join('\n');
}
