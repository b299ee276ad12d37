/**
 * Sentence and clause splitting shared by the rewrite and storyboard stages.
 * Works on English (. ! ? …) and Chinese (。！？) alike.
 */
import { isHan } from './language.ts';

const TERMINAL = /[。！？!?…]/u;
const CLOSER = /[”’"'」』）)》\]】]/u;
const CLAUSE_END = /[，,；;：:、]/u;
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'prof', 'jr', 'sr', 'vs', 'etc', 'e.g', 'i.e', 'no']);

/** Collapses runs of spaces, and drops the spaces that line wrapping leaves between Han characters. */
export function normalizeLine(line: string): string {
  return line
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/(?<=[\p{Script=Han}，。！？、；：“”‘’（）《》]) (?=[\p{Script=Han}，。！？、；：“”‘’（）《》])/gu, '');
}

/** Whether the '.' at `at` ends a sentence rather than an abbreviation, an initial or a decimal. */
function periodEnds(chars: string[], at: number): boolean {
  const next = chars[at + 1];
  if (next !== undefined && next !== ' ' && !CLOSER.test(next) && !TERMINAL.test(next) && next !== '.') return false;
  let start = at;
  while (start > 0 && /[\p{L}.]/u.test(chars[start - 1] as string)) start--;
  const word = chars.slice(start, at).join('');
  if (ABBREVIATIONS.has(word.toLowerCase())) return false;
  return !/^\p{Lu}$/u.test(word);
}

function splitLine(line: string): string[] {
  const chars = Array.from(line);
  const sentences: string[] = [];
  let start = 0;
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as string;
    const ends = TERMINAL.test(char) || (char === '.' && periodEnds(chars, i));
    if (!ends) continue;
    let end = i + 1;
    while (end < chars.length && (TERMINAL.test(chars[end] as string) || chars[end] === '.')) end++;
    while (end < chars.length && CLOSER.test(chars[end] as string)) end++;
    sentences.push(chars.slice(start, end).join('').trim());
    start = end;
    i = end - 1;
  }
  sentences.push(chars.slice(start).join('').trim());
  return sentences.filter((sentence) => sentence.length > 0);
}

/**
 * Rejoins hard-wrapped lines: a line continues onto the next when it has no closing
 * punctuation and the next starts in lower case or with a Han character. Other line
 * breaks (titles, poems, lists) end a sentence.
 */
function joinWrappedLines(lines: string[]): string[] {
  const joined: string[] = [];
  for (const line of lines) {
    const previous = joined[joined.length - 1];
    const last = previous === undefined ? undefined : Array.from(previous).pop();
    const continues =
      previous !== undefined &&
      last !== undefined &&
      !TERMINAL.test(last) &&
      last !== '.' &&
      !CLOSER.test(last) &&
      /^[\p{Ll}\p{Script=Han}]/u.test(line);
    if (continues) joined[joined.length - 1] = normalizeLine(`${previous} ${line}`);
    else joined.push(line);
  }
  return joined;
}

export function splitSentences(text: string): string[] {
  const lines = text
    .replace(/\r\n?/gu, '\n')
    .split('\n')
    .map(normalizeLine)
    .filter((line) => line.length > 0);
  return joinWrappedLines(lines).flatMap(splitLine);
}

/** Splits a sentence after commas, semicolons and colons, keeping the punctuation. */
export function splitClauses(sentence: string): string[] {
  const chars = Array.from(sentence);
  const clauses: string[] = [];
  let start = 0;
  chars.forEach((char, i) => {
    if (!CLAUSE_END.test(char)) return;
    // An English comma only ends a clause when a space follows (not "1,000").
    if ((char === ',' || char === ':') && chars[i + 1] !== ' ') return;
    clauses.push(chars.slice(start, i + 1).join('').trim());
    start = i + 1;
  });
  clauses.push(chars.slice(start).join('').trim());
  return clauses.filter((clause) => clause.length > 0);
}

/** Ends a sentence with punctuation of its own language when it has none. */
export function ensureTerminal(sentence: string): string {
  const chars = Array.from(sentence.trim());
  const last = chars[chars.length - 1];
  if (last === undefined || TERMINAL.test(last) || last === '.' || CLOSER.test(last)) return sentence.trim();
  const chinese = chars.some(isHan);
  if (CLAUSE_END.test(last)) chars.pop();
  return chars.join('') + (chinese ? '。' : '.');
}
