/**
 * A diff of two texts for reading: by words for English, by characters for Chinese (which
 * has no spaces between words). Longest common subsequence on the tokens; texts too long
 * for that are shown as one replacement.
 */
export type DiffPart = { op: 'same' | 'add' | 'del'; text: string };

/** Above this many token pairs the table would be too big to build in a click. */
const MAX_CELLS = 4_000_000;

const HAN = /\p{Script=Han}/u;

export function tokenize(text: string): string[] {
  const chinese = [...text].some((c) => HAN.test(c));
  if (chinese) return Array.from(text);
  return text.split(/(\s+)/u).filter((t) => t !== '');
}

export function diffTexts(from: string, to: string): DiffPart[] {
  const a = tokenize(from);
  const b = tokenize(to);
  if (a.length * b.length > MAX_CELLS) return merge([{ op: 'del', text: from }, { op: 'add', text: to }]);
  const n = a.length;
  const m = b.length;
  // lcs[i * (m + 1) + j]: the common length of a[i..] and b[j..].
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = a[i] === b[j] ? lcs[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!);
    }
  }
  const parts: DiffPart[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      parts.push({ op: 'same', text: a[i++]! });
      j++;
    } else if (lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!) parts.push({ op: 'del', text: a[i++]! });
    else parts.push({ op: 'add', text: b[j++]! });
  }
  while (i < n) parts.push({ op: 'del', text: a[i++]! });
  while (j < m) parts.push({ op: 'add', text: b[j++]! });
  return merge(parts);
}

function merge(parts: DiffPart[]): DiffPart[] {
  const out: DiffPart[] = [];
  for (const part of parts) {
    if (part.text === '') continue;
    const last = out[out.length - 1];
    if (last && last.op === part.op) last.text += part.text;
    else out.push({ ...part });
  }
  return out;
}
