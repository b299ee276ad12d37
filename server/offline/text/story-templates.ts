/**
 * The building blocks of a story written from a topic: one list of variants per
 * narrative role, in each language. The rewrite stage picks one variant per role by
 * a hash of the input, so different topics read differently while each stays stable.
 */
import type { Language } from './language.ts';

export interface Hero {
  name: string;
  /** Subject and possessive pronouns (English only; Chinese repeats the name). */
  he: string;
  his: string;
}

export interface StoryCast {
  /** The topic as the user phrased it ("a lighthouse keeper who finds a message"). */
  subject: string;
  /** How the story refers to it afterwards ("the lighthouse keeper"). */
  short: string;
  hero: Hero;
  place: string;
  time: string;
  mood: string;
  words: readonly [string, string, string];
}

export const STORY_ROLES = ['setup', 'development', 'complication', 'turn', 'resolution', 'closing'] as const;
export type StoryRole = (typeof STORY_ROLES)[number];
type Template = (c: StoryCast) => string;

const cap = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

export const HEROES: Record<Language, readonly Hero[]> = {
  en: [
    { name: 'Mara', he: 'she', his: 'her' },
    { name: 'Theo', he: 'he', his: 'his' },
    { name: 'Iris', he: 'she', his: 'her' },
    { name: 'Jonah', he: 'he', his: 'his' },
    { name: 'Ada', he: 'she', his: 'her' },
    { name: 'Felix', he: 'he', his: 'his' },
  ],
  zh: ['林晓', '阿明', '小雨', '陈默', '苏然', '老周', '小满', '许言'].map((name) => ({ name, he: '', his: '' })),
};

export const PLACES: Record<Language, readonly string[]> = {
  en: ['a small harbour town', 'a village at the foot of the mountains', 'a narrow street in the old city', 'a windy island'],
  zh: ['海边的小镇', '山脚下的村庄', '老城区的小巷', '江南的一座古镇', '北方的边城'],
};

export const TIMES: Record<Language, readonly string[]> = {
  en: ['One autumn morning', 'On the first night of winter', 'Late one summer afternoon', 'Early one spring'],
  zh: ['一个秋天的清晨', '初雪的那个夜晚', '某个闷热的夏日午后', '春节前的最后一天'],
};

/** Used when the topic has fewer than three content words of its own. */
export const FALLBACK_WORDS: Record<Language, readonly string[]> = {
  en: ['light', 'road', 'promise'],
  zh: ['光', '路', '约定'],
};

const EN: Record<StoryRole, readonly Template[]> = {
  setup: [
    (c) => `${c.time}, in ${c.place}, ${c.hero.name} first heard about ${c.short}. It began as a rumour, small and ${c.mood}, passed from one person to the next until it reached ${c.hero.his} door.`,
    (c) => `${c.hero.name} had lived in ${c.place} for years without thinking much about ${c.short}. That changed ${c.time.toLowerCase()}, when a ${c.mood} stillness settled over the streets.`,
    (c) => `Nobody in ${c.place} expected ${c.short} to matter, least of all ${c.hero.name}. But ${c.time.toLowerCase()}, ${c.hero.he} found a note on the door with three words on it: ${c.words[0]}, ${c.words[1]}, ${c.words[2]}.`,
  ],
  development: [
    (c) => `At first ${c.hero.name} tried to ignore it. Yet the word "${c.words[0]}" kept returning: at the market, in the margins of old books, in the ${c.mood} hum of the evening. So ${c.hero.he} began to ask questions.`,
    (c) => `${cap(c.hero.he)} started a notebook. On the first page ${c.hero.he} wrote "${c.words[0]}", and beneath it "${c.words[1]}". Every day added something: a sketch, a name, a half-remembered tale about ${c.short}.`,
    (c) => `Friends laughed when ${c.hero.name} talked about ${c.words[0]} and ${c.words[1]}, but ${c.hero.he} kept going. Each small discovery about ${c.short} led to another, like footprints in fresh snow.`,
  ],
  complication: [
    (c) => `Then the trouble began. The trail around "${c.words[1]}" went cold, and the people who had helped grew quiet. For a while it seemed that ${c.short} would stay a mystery forever.`,
    (c) => `Not everyone was pleased. An old neighbour warned ${c.hero.name} that some questions about ${c.short} were better left alone, and that night the street lamps flickered out one by one.`,
    (c) => `Halfway there, everything went wrong. A storm rolled in, the notes about "${c.words[2]}" were soaked through, and ${c.hero.name} had to decide whether to turn back.`,
  ],
  turn: [
    (c) => `It was a child who changed everything. Listening to ${c.hero.name}, she simply pointed and asked, "But what about ${c.words[2]}?" Suddenly the pieces fit together.`,
    (c) => `In the quiet after the storm, ${c.hero.name} looked at "${c.words[0]}" and "${c.words[2]}" side by side and finally understood: they had never been separate questions at all.`,
    (c) => `Then, on an ordinary afternoon, the answer arrived: not as a thunderclap, but as a ${c.mood} certainty, the way you suddenly remember a song.`,
  ],
  resolution: [
    (c) => `${c.hero.name} gathered everyone in the square and told them what ${c.hero.he} had learned about ${c.short}. Some cried, some laughed, and for the first time in years the whole town spoke with one voice.`,
    (c) => `By spring, ${c.short} was no longer a rumour. ${c.hero.name} had turned it into something everyone could share, and the notebook sat on a shelf where anyone could read it.`,
    (c) => `When it was over, ${c.hero.name} walked home slowly. Nothing looked different, and yet everything was: ${c.words[0]}, ${c.words[1]} and ${c.words[2]} had become part of the town's own story.`,
  ],
  closing: [
    (c) => `If you visit ${c.place} today and ask about ${c.short}, someone will smile and tell you this story, a little differently each time, which is how you know it is true.`,
    (c) => `Years later, ${c.hero.name} would say that ${c.short} had taught one thing above all: the smallest question, followed honestly, can lead all the way home.`,
    (c) => `That is how the story of ${c.short} ends, or perhaps how it begins again, with someone new hearing it for the first time.`,
  ],
};

const ZH: Record<StoryRole, readonly Template[]> = {
  setup: [
    (c) => `${c.time}，在${c.place}，${c.hero.name}第一次听说了${c.short}。起初那只是一个${c.mood}的传闻，从一个人传到另一个人，最后传到了${c.hero.name}的家门口。`,
    (c) => `${c.hero.name}在${c.place}住了很多年，从没认真想过${c.short}。直到${c.time}，街巷里忽然笼罩上一种${c.mood}的寂静，一切才有了变化。`,
    (c) => `在${c.place}，谁也没想到${c.short}会变得重要，${c.hero.name}更是如此。可是${c.time}，门上多了一张字条，上面只写着三个词：${c.words[0]}、${c.words[1]}、${c.words[2]}。`,
  ],
  development: [
    (c) => `起初，${c.hero.name}想装作什么都没发生。可是“${c.words[0]}”这个词总是不断出现：在集市的闲谈里，在旧书的页边，在傍晚${c.mood}的风声里。于是，${c.hero.name}开始四处打听。`,
    (c) => `${c.hero.name}准备了一个笔记本。第一页写下“${c.words[0]}”，下面又写了“${c.words[1]}”。每天都会多出一点东西：一幅草图，一个名字，一段关于${c.short}的模糊往事。`,
    (c) => `朋友们听${c.hero.name}说起${c.words[0]}和${c.words[1]}，都笑出了声，可${c.hero.name}没有停下。关于${c.short}的每一个小发现，都像新雪上的脚印，引向下一个。`,
  ],
  complication: [
    (c) => `麻烦随之而来。关于“${c.words[1]}”的线索突然断了，曾经帮忙的人也都沉默下来。有那么一阵子，${c.short}似乎要永远成为一个谜。`,
    (c) => `并不是所有人都乐见其成。一位老邻居提醒${c.hero.name}，有些关于${c.short}的问题最好别问。当天夜里，街灯一盏接一盏地熄灭了。`,
    (c) => `走到一半，一切都乱了套。暴风雨突然袭来，记着“${c.words[2]}”的笔记被淋得湿透，${c.hero.name}不得不考虑要不要回头。`,
  ],
  turn: [
    (c) => `改变这一切的，是一个孩子。她听完${c.hero.name}的讲述，只是指了指远处，问：“那${c.words[2]}呢？”刹那间，所有碎片都拼在了一起。`,
    (c) => `暴风雨过后的寂静里，${c.hero.name}把“${c.words[0]}”和“${c.words[2]}”并排放在一起，终于明白：它们从来就不是两个问题。`,
    (c) => `后来，在一个再平常不过的下午，答案来了。它不像惊雷，而像一种${c.mood}的笃定，就像你忽然想起了一首老歌。`,
  ],
  resolution: [
    (c) => `${c.hero.name}把大家召集到广场上，讲出了自己所了解的${c.short}。有人落泪，有人大笑，多年来第一次，整座小镇说出了同一个心声。`,
    (c) => `到了春天，${c.short}已经不再是传闻。${c.hero.name}把它变成了人人都能分享的东西，那个笔记本就放在书架上，谁都可以翻看。`,
    (c) => `一切结束后，${c.hero.name}慢慢走回家。眼前的景物没有变化，可一切又都不同了：${c.words[0]}、${c.words[1]}和${c.words[2]}，已经成了这座小镇自己的故事。`,
  ],
  closing: [
    (c) => `如今如果你去${c.place}，向人打听${c.short}，总会有人笑着给你讲这个故事。每次讲的都略有不同，而这恰恰说明它是真的。`,
    (c) => `许多年后，${c.hero.name}常说，${c.short}教会了自己一件事：最小的问题，只要认真追问下去，也能一路把人带回家。`,
    (c) => `${c.short}的故事就这样结束了，又或许，它正从头开始，在某个第一次听到它的人心里。`,
  ],
};

export const ROLE_TEMPLATES: Record<Language, Record<StoryRole, readonly Template[]>> = { en: EN, zh: ZH };
