/**
 * Splits text into the tokens the offline provider streams, imitating a model that
 * writes a word (English) or one or two characters (Chinese) at a time.
 *
 * Contract: `tokenize(text).join('') === text` for every string. The scanner walks
 * whole code points, so a surrogate pair is never split, and it never cuts inside
 * an emoji sequence (ZWJ, variation selector, skin tone, flag) or before a combining mark.
 */

type CharClass = 'han' | 'word' | 'other';

const IDEOGRAPHIC = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const WORD = /[\p{L}\p{N}\p{M}_]/u;
const APOSTROPHE = /['’]/u;
const EXTENDS_PREVIOUS = /[\p{M}\u200d\ufe0e\ufe0f\u{1f3fb}-\u{1f3ff}\u{e0020}-\u{e007f}]/u;
const REGIONAL_INDICATOR = /[\u{1f1e6}-\u{1f1ff}]/u;

/** A run of letters longer than this (a URL, a hash) is streamed in pieces. */
const MAX_WORD = 24;
/** Punctuation, spaces and emoji attached after a word, at most. */
const MAX_TRAILING = 12;
/** A token made only of punctuation/symbols (e.g. JSON braces), at most. */
const MAX_OTHER = 8;

function classify(char: string): CharClass {
  if (IDEOGRAPHIC.test(char)) return 'han';
  if (WORD.test(char)) return 'word';
  return 'other';
}

/** Whether a cut between `prev` and `next` would break a visible character apart. */
function bound(prev: string | undefined, next: string | undefined): boolean {
  if (prev === undefined || next === undefined) return false;
  if (REGIONAL_INDICATOR.test(prev) && REGIONAL_INDICATOR.test(next)) return true;
  return prev === '\u200d' || EXTENDS_PREVIOUS.test(next);
}

export function tokenize(text: string): string[] {
  const chars = Array.from(text);
  const tokens: string[] = [];
  let pos = 0;

  // Advances while `accept` holds, never stopping between two bound code points.
  const take = (from: number, limit: number, accept: (char: string, at: number) => boolean): number => {
    let end = from;
    while (end < chars.length && (end - from < limit || bound(chars[end - 1], chars[end]))) {
      const char = chars[end] as string;
      if (!accept(char, end) && !bound(chars[end - 1], char)) break;
      end++;
    }
    return end;
  };

  while (pos < chars.length) {
    const first = chars[pos] as string;
    const kind = classify(first);
    let end: number;
    if (kind === 'other') {
      end = take(pos, MAX_OTHER, (char) => classify(char) === 'other');
    } else {
      if (kind === 'han') {
        // One or two characters, chosen by the code point so the split is stable.
        const width = (first.codePointAt(0) as number) % 3 === 0 ? 1 : 2;
        end = take(pos, width, (char) => classify(char) === 'han');
      } else {
        end = take(pos, MAX_WORD, (char, at) => {
          if (classify(char) === 'word') return true;
          const after = chars[at + 1];
          return APOSTROPHE.test(char) && after !== undefined && classify(after) === 'word';
        });
      }
      end = take(end, MAX_TRAILING, (char) => classify(char) === 'other');
    }
    tokens.push(chars.slice(pos, end).join(''));
    pos = end;
  }
  return tokens;
}
