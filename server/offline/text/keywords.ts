/**
 * Picks the content words of a text, so that prompts, camera notes and stories are
 * built from the user's own words. English: non-stopwords, ranked by frequency then
 * first appearance. Chinese has no spaces: ICU's word segmenter cuts it, and particles,
 * pronouns and measure words are dropped.
 */
import { detectLanguage, type Language } from './language.ts';

const ENGLISH_STOPWORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing down during each even ever every few for from further ' +
    'had has have having he her here hers herself him himself his how i if in into is it its itself just ' +
    'let like made make many may me might more most much must my myself never no nor not now of off on once ' +
    'one only or other our ours ourselves out over own said same say says she should so some such than that ' +
    'the their theirs them themselves then there these they this those through to too under until up upon ' +
    'us very was we were what when where which while who whom why will with would yet you your yours ' +
    'yourself yourselves still back way went go goes going get got gets thing things something nothing ' +
    'anything everything someone another around away almost already always forever perhaps suddenly'
  ).split(' '),
);

const CHINESE_STOP_WORDS = new Set([
  '我们', '你们', '他们', '她们', '它们', '自己', '这个', '那个', '一个', '什么', '因为', '所以', '但是',
  '然后', '已经', '还是', '就是', '没有', '可以', '这样', '那样', '时候', '如果', '虽然', '只是', '不是',
  '还有', '这些', '那些', '于是', '非常', '起来', '一起', '之后', '之前', '终于', '突然', '开始', '一只',
  '只想', '一座', '一盏', '一位', '一天', '有座', '有个', '这里', '那里', '怎么', '为什么', '一直', '一边',
  '关于', '所有', '上面', '下面', '里面', '外面', '一切', '有人', '没人', '一下', '一点', '多年', '许多', '很多',
]);
/** Single characters that carry no picture: particles, pronouns, measure words. */
const CHINESE_STOP_CHARS = new Set(
  Array.from('的了着过是和与及或也都就又还很把被让给对从向到这那我你他她它们而但却并吗呢吧啊呀么在里上下中有个会说讲去来一只座位条张些想要能得地小大老不没'),
);

// ICU's dictionary-based word breaker (built into Node) segments Chinese properly.
const chineseSegmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** A content word, and whether it stood where nouns stand (after "the", 的, a measure word). */
export interface Keyword {
  word: string;
  noun: boolean;
}

/** Words that follow "the" without being the thing itself: adjectives and past-tense verbs. */
const ENGLISH_NOT_NOUNS = new Set(
  (
    'small big little great good bad old new young long short first last next other same whole ordinary ' +
    'curious strange quiet dark bright cold warm high low tiny huge began went saw said came took made knew ' +
    'thought found told felt left kept stood sat ran grew brought heard held lay lost met rose sang spoke ' +
    'threw woke wore won wrote seemed became'
  ).split(' '),
);
const notNoun = (lower: string): boolean =>
  ENGLISH_NOT_NOUNS.has(lower) || /(ly|ed)$/u.test(lower);
const modifier = (lower: string): boolean =>
  ENGLISH_NOT_NOUNS.has(lower) || /(ly|y|ful|ous|ive|al|ic|less|en|ed|ing)$/u.test(lower);

const ENGLISH_DETERMINERS = /^(a|an|the|his|her|its|their|my|our|your|this|that|these|those|some|every|each)$/iu;
const CHINESE_NOUN_MARKERS = new Set(Array.from('的个只座条串本位张片盏把棵朵间头匹封'));
const CHINESE_VERBS = new Set(['看见', '看到', '听到', '听说', '发现', '觉得', '知道', '想要', '走开', '出现', '离开', '回来', '告诉', '以为']);

/**
 * Orders candidates by evidence of being a noun, then by frequency, then by first
 * appearance. `noun[i]` says whether occurrence i stood in a noun position.
 */
function rank(candidates: readonly string[], noun: readonly boolean[], max: number, keyOf: (w: string) => string): Keyword[] {
  const stats = new Map<string, { word: string; count: number; nouns: number; first: number }>();
  candidates.forEach((word, position) => {
    const key = keyOf(word);
    const seen = stats.get(key) ?? { word, count: 0, nouns: 0, first: position };
    seen.count++;
    if (noun[position]) seen.nouns++;
    stats.set(key, seen);
  });
  const score = (entry: { count: number; nouns: number }): number => entry.count + 2 * Math.min(entry.nouns, 1);
  return [...stats.values()]
    .sort((a, b) => score(b) - score(a) || a.first - b.first)
    .slice(0, max)
    .map((entry) => ({ word: entry.word, noun: entry.nouns > 0 }));
}

function englishKeywords(text: string, max: number): Keyword[] {
  const words = text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? [];
  // A capitalised word is a name if it is capitalised somewhere other than a sentence start.
  const names = new Set<string>();
  for (const match of text.matchAll(/(?<![.!?]\s*|^\s*)\b(\p{Lu}[\p{L}'’-]*)/gu)) {
    names.add((match[1] as string).toLowerCase());
  }
  // A word never written in lower case keeps its capital ("Mara" at a sentence start).
  const lowerSeen = new Set(words.filter((word) => word === word.toLowerCase()));
  const candidates: string[] = [];
  const noun: boolean[] = [];
  words.forEach((word, i) => {
    const lower = word.toLowerCase();
    if (word.length < 3 || ENGLISH_STOPWORDS.has(lower)) return;
    candidates.push(lowerSeen.has(lower) ? lower : word);
    const previous = words[i - 1] ?? '';
    const afterDeterminer = ENGLISH_DETERMINERS.test(previous);
    const afterModifier = ENGLISH_DETERMINERS.test(words[i - 2] ?? '') && modifier(previous.toLowerCase());
    noun.push(names.has(lower) || ((afterDeterminer || afterModifier) && !notNoun(lower)));
  });
  return rank(candidates, noun, max, (word) => word.toLowerCase());
}

function chineseKeywords(text: string, max: number): Keyword[] {
  const parts = [...chineseSegmenter.segment(text)].filter((part) => part.isWordLike).map((part) => part.segment);
  const candidates: string[] = [];
  const noun: boolean[] = [];
  // Single characters (猫, 山) come after the real words: many of them are particles.
  for (const pass of ['multi', 'single'] as const) {
    parts.forEach((word, i) => {
      const length = Array.from(word).length;
      const keep =
        pass === 'multi'
          ? length >= 2 && !CHINESE_STOP_WORDS.has(word) && !CHINESE_VERBS.has(word)
          : length === 1 && !CHINESE_STOP_CHARS.has(word);
      const before = Array.from(parts[i - 1] ?? '').pop() ?? '';
      const marked = CHINESE_NOUN_MARKERS.has(before);
      // A lone character counts only after 的 or a measure word (的猫, 一只鸟).
      if (!keep || (pass === 'single' && !marked)) return;
      candidates.push(word);
      noun.push(marked);
    });
  }
  return rank(candidates, noun, max, (word) => word);
}

/** The content words of `text` with their noun evidence, best first. */
export function keywordDetails(text: string, max = 6): Keyword[] {
  return detectLanguage(text) === 'zh' ? chineseKeywords(text, max) : englishKeywords(text, max);
}

export function keywords(text: string, max = 6): string[] {
  return keywordDetails(text, max).map((keyword) => keyword.word);
}

/** "a, b and c" or "甲、乙与丙". */
export function listOf(words: readonly string[], language: Language, conjunction?: string): string {
  if (words.length <= 1) return words[0] ?? '';
  const and = conjunction ?? (language === 'zh' ? '与' : ' and ');
  const head = words.slice(0, -1).join(language === 'zh' ? '、' : ', ');
  return `${head}${and}${words[words.length - 1]}`;
}

/**
 * Names what a text is about, for prompts and camera notes: "the fox and the vine",
 * "狐狸与葡萄". Prefers words that stood in noun positions; empty when the text has
 * no content words at all.
 */
export function subjectPhrase(text: string, language: Language, max = 3): string {
  const found = keywordDetails(text, 8);
  const nouns = found.filter((keyword) => keyword.noun);
  const chosen = (nouns.length > 0 ? nouns : found).slice(0, max).map(({ word }) =>
    language === 'en' && nouns.length > 0 && !/^\p{Lu}/u.test(word) ? `the ${word}` : word,
  );
  return listOf(chosen, language);
}
