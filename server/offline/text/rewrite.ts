/**
 * REWRITE stage of the offline provider. From a topic it writes a short story built
 * from hashed template choices around the topic's own words; from a text it keeps
 * every sentence and retells it as a narrated story with an opening and an ending.
 * The answer is in the language of the topic/text, and the same input always gives
 * the same story.
 */
import { keywords, subjectPhrase } from './keywords.ts';
import { detectLanguage, type Language } from './language.ts';
import { createRandom, hashString, pick, type Random } from '../seed.ts';
import { ensureTerminal, splitClauses, splitSentences } from './sentences.ts';
import {
  FALLBACK_WORDS,
  HEROES,
  PLACES,
  ROLE_TEMPLATES,
  STORY_ROLES,
  TIMES,
  type StoryCast,
  type StoryRole,
} from './story-templates.ts';
import { toneFor, toneText, type Tone } from './tones.ts';

export interface RewriteInput {
  /** A subject to write a new story about. Ignored when `text` is given. */
  topic?: string;
  /** A text to retell; its sentences are all kept. */
  text?: string;
  /** Free-text style ("humorous", "悬疑"); sets the opening line and mood words. */
  style?: string;
  /** Free-text wishes; length and ending hints are applied, anything else is quoted. */
  instructions?: string;
}

/** Thrown when there is neither a topic nor a text to work from. */
export class OfflineRewriteInputError extends Error {
  override name = 'OfflineRewriteInputError';
}

interface Wishes {
  length?: 'short' | 'long';
  ending?: 'twist' | 'happy' | 'sad';
  /** The instructions themselves, when no hint above matched them. */
  note?: string;
}

function readWishes(instructions: string | undefined): Wishes {
  const text = (instructions ?? '').replace(/\s+/gu, ' ').trim().slice(0, 120);
  if (text === '') return {};
  const wishes: Wishes = {};
  if (/short|brief|concise|简短|短一|简洁|精简/iu.test(text)) wishes.length = 'short';
  else if (/long|detail|elaborat|详细|长一|丰富/iu.test(text)) wishes.length = 'long';
  if (/twist|surpris|unexpected|反转|意外|出人意料/iu.test(text)) wishes.ending = 'twist';
  else if (/happy|hope|uplift|圆满|温暖|快乐|美好|希望/iu.test(text)) wishes.ending = 'happy';
  else if (/sad|tragic|bitter|悲伤|悲剧|遗憾|伤感/iu.test(text)) wishes.ending = 'sad';
  if (!wishes.length && !wishes.ending) wishes.note = text;
  return wishes;
}

const ENDINGS: Record<Language, Record<NonNullable<Wishes['ending']>, (word: string) => string>> = {
  en: {
    twist: (w) => `Only much later did anyone notice the last twist: the very first note about ${w} had been written in the same handwriting as the last.`,
    happy: (w) => `And from then on, whenever anyone spoke of ${w}, they smiled, because it had ended better than anyone had dared to hope.`,
    sad: (w) => `Still, some things could not be mended. Every year, on the same day, someone left flowers by the road, in memory of ${w}.`,
  },
  zh: {
    twist: (w) => `直到很久以后，才有人发现最后的反转：关于${w}的第一张字条，和最后一张出自同一个人的笔迹。`,
    happy: (w) => `从那以后，每当有人提起${w}，脸上都会露出笑容，因为结局比任何人敢期待的都要美好。`,
    sad: (w) => `只是，有些东西终究无法弥补。每年的同一天，总有人在路边放下一束花，纪念${w}。`,
  },
};

function wishLines(wishes: Wishes, language: Language, word: string): string[] {
  const lines: string[] = [];
  if (wishes.ending) lines.push(ENDINGS[language][wishes.ending](word));
  if (wishes.note) {
    lines.push(
      language === 'zh'
        ? `（应讲述者的要求——“${wishes.note}”——这个故事就这样讲完了。）`
        : `(Told as the listener asked: "${wishes.note}".)`,
    );
  }
  return lines;
}

/** Splits `items` into `count` contiguous groups, the first ones one longer when needed. */
function partition<T>(items: readonly T[], count: number): T[][] {
  const groups: T[][] = [];
  let start = 0;
  for (let g = 0; g < count; g++) {
    const size = Math.floor(items.length / count) + (g < items.length % count ? 1 : 0);
    groups.push(items.slice(start, start + size));
    start += size;
  }
  return groups.filter((group) => group.length > 0);
}

const join = (language: Language, sentences: readonly string[]): string =>
  sentences.filter((s) => s !== '').join(language === 'zh' ? '' : ' ');

/** Turns "Write a story about a lonely robot." into "a lonely robot". */
function subjectOf(topic: string, language: Language): string {
  let subject = topic.replace(/\s+/gu, ' ').trim();
  if (language === 'zh') {
    subject = subject.replace(/^(请|帮我)?(写|讲|编|创作)(一个|一篇|一段|个|篇)?(关于)?/u, '').replace(/的?故事[。！!.]?$/u, '');
    const first = splitClauses(subject)[0] ?? subject;
    return Array.from(first.replace(/[，,；;：:。！？.!?]+$/u, '')).slice(0, 24).join('') || topic.trim();
  }
  subject = subject
    .replace(/^(please )?((write|tell|create|make)( me)? )?(an? )?((short|little) )?(story|tale) (about|of|on) /iu, '')
    .replace(/[.!?,;:]+$/u, '');
  const words = subject.split(' ');
  if (/^(a|an|the|my|our|some|one|two|how|why|what|when)$/iu.test(words[0] ?? '')) {
    words[0] = (words[0] as string).toLowerCase();
  }
  return words.slice(0, 12).join(' ') || topic.trim();
}

/**
 * How the story mentions the subject after the opening: "a lighthouse keeper who
 * finds a message" becomes "the lighthouse keeper", "一只想飞的猫" becomes "那只想飞的猫".
 */
function shortSubjectOf(subject: string, language: Language): string {
  if (language === 'zh') return subject.replace(/^一(?=[只个位座条把盏本棵头匹间封])/u, '那');
  const words = subject.split(' ');
  const cut = words.findIndex(
    (word, i) => i >= 2 && /^(who|that|which|where|whose|while|when|with|without|to|in|on|at|from|for|and|but|\p{L}+ing)$/iu.test(word),
  );
  const head = cut === -1 ? words : words.slice(0, cut);
  if (/^(a|an)$/iu.test(head[0] ?? '') && head.length > 1) head[0] = 'the';
  return head.join(' ');
}

function castFor(subject: string, language: Language, mood: string, random: Random): StoryCast {
  const own = keywords(subject, 3);
  const short = shortSubjectOf(subject, language);
  const padding = FALLBACK_WORDS[language].filter((word) => !own.includes(word));
  const words = [...own, ...padding].slice(0, 3) as [string, string, string];
  return {
    subject,
    short,
    hero: pick(random, HEROES[language]),
    place: pick(random, PLACES[language]),
    time: pick(random, TIMES[language]),
    mood,
    words,
  };
}

function storyFromTopic(topic: string, tone: Tone, wishes: Wishes, language: Language, random: Random): string {
  const voice = toneText(tone, language);
  const cast = castFor(subjectOf(topic, language), language, pick(random, voice.moods), random);
  const roles: StoryRole[] =
    wishes.length === 'short' ? ['setup', 'complication', 'resolution', 'closing'] : [...STORY_ROLES];
  const sentences = roles.map((role) => pick(random, ROLE_TEMPLATES[language][role])(cast));
  const paragraphCount = wishes.length === 'short' ? 3 : wishes.length === 'long' ? 6 : 3 + Math.floor(random() * 4);
  const paragraphs = partition(sentences, paragraphCount);
  paragraphs[0]?.unshift(voice.opening(cast.subject));
  paragraphs[paragraphs.length - 1]?.push(voice.closing, ...wishLines(wishes, language, cast.short));
  return paragraphs.map((paragraph) => join(language, paragraph)).join('\n\n');
}

const CONNECTORS: Record<Language, { middle: readonly string[]; last: string; existing: RegExp }> = {
  en: {
    middle: ['Then', 'After that', 'Before long', 'Soon', 'Next'],
    last: 'In the end',
    existing: /^(then|after|before|meanwhile|soon|finally|eventually|later|but|and|so|in the end|at last|suddenly|however|when|once)\b/iu,
  },
  zh: {
    middle: ['接着', '后来', '不久', '随后'],
    last: '最后',
    existing: /^(然后|后来|最后|于是|接着|不久|终于|但是|可是|随后|与此同时|就在|最终|起初|突然|当|一天)/u,
  },
};

/** Words that may be lower-cased after a connector without damaging a name. */
const COMMON_OPENERS = /^(The|A|An|It|He|She|They|We|There|This|That|His|Her|Their|Our|My|Its|Everyone|Nobody|Some|People)\b/u;

function withConnector(sentence: string, connector: string, language: Language): string {
  if (CONNECTORS[language].existing.test(sentence)) return sentence;
  if (language === 'zh') return `${connector}，${sentence}`;
  const lowered = COMMON_OPENERS.test(sentence) ? sentence.charAt(0).toLowerCase() + sentence.slice(1) : sentence;
  return `${connector}, ${lowered}`;
}

function rewriteText(text: string, tone: Tone, wishes: Wishes, language: Language, random: Random): string {
  const voice = toneText(tone, language);
  const sentences = splitSentences(text).map((sentence) => {
    const ended = ensureTerminal(sentence);
    return language === 'en' ? ended.charAt(0).toUpperCase() + ended.slice(1) : ended;
  });
  const words = keywords(text, 3);
  const subject = subjectPhrase(text, language) || (language === 'zh' ? '这段往事' : 'what happened');

  // Two to four sentences per paragraph, chosen by the hash so long texts breathe;
  // a wish for a short or long telling packs or spreads them.
  const perParagraph = wishes.length === 'short' ? 6 : wishes.length === 'long' ? 1 : 2 + Math.floor(random() * 3);
  const body = partition(sentences, Math.max(1, Math.ceil(sentences.length / perParagraph)));
  const { middle, last } = CONNECTORS[language];
  body.forEach((paragraph, i) => {
    if (i === 0 || paragraph.length === 0) return;
    const connector = i === body.length - 1 ? last : pick(random, middle);
    paragraph[0] = withConnector(paragraph[0] as string, connector, language);
  });
  body[0]?.unshift(voice.opening(subject));

  const endings =
    language === 'zh'
      ? [`故事讲到这里就结束了，可关于${words[0] ?? '它'}的回忆，还在继续。`, `这就是${subject}的故事，从开头到结尾，原原本本。`]
      : [`And that is how it ended: ${subject}, remembered just as it happened.`, `So ends the story of ${subject}, told from its beginning to its close.`];
  const ending = [pick(random, endings), voice.closing, ...wishLines(wishes, language, words[0] ?? subject)];
  return [...body, ending].map((paragraph) => join(language, paragraph)).join('\n\n');
}

export function offlineRewrite(input: RewriteInput): string {
  const text = input.text?.trim() ?? '';
  const topic = input.topic?.trim() ?? '';
  if (text === '' && topic === '') throw new OfflineRewriteInputError('offline rewrite needs a topic or a text');
  const source = text !== '' ? text : topic;
  const language = detectLanguage(source);
  const tone = toneFor(input.style);
  const wishes = readWishes(input.instructions);
  const random = createRandom(
    hashString(JSON.stringify([text !== '' ? 'text' : 'topic', source, input.style ?? '', input.instructions ?? ''])),
  );
  return text !== ''
    ? rewriteText(text, tone, wishes, language, random)
    : storyFromTopic(topic, tone, wishes, language, random);
}
