/**
 * How a free-text `style` ("humorous", "悬疑", "like a bedtime story") shows in the
 * offline stories: a matching tone lends an opening line, a mood word and a closing
 * flourish. A style that matches no tone is still honoured by naming it in the opening.
 */
import type { Language } from './language.ts';

interface ToneText {
  opening: (subject: string) => string;
  moods: readonly string[];
  closing: string;
}

export interface Tone {
  id: string;
  en: ToneText;
  zh: ToneText;
}

interface ToneRule extends Tone {
  match: RegExp;
}

const TONES: readonly ToneRule[] = [
  {
    id: 'humorous',
    match: /humou?r|funny|comic|comed|witty|silly|joke|幽默|搞笑|诙谐|滑稽|喜剧|风趣/iu,
    en: {
      opening: (s) => `Fair warning: this story about ${s} contains at least one bad idea and a surprising number of snacks.`,
      moods: ['ridiculous', 'slightly absurd', 'cheerfully chaotic'],
      closing: 'Nobody learned a lesson, but everybody agreed it had been worth the snacks.',
    },
    zh: {
      opening: (s) => `先说好：这个关于${s}的故事里，至少有一个馊主意，外加数不清的零食。`,
      moods: ['哭笑不得', '有点离谱', '热热闹闹'],
      closing: '没有人从中学到什么道理，但大家一致认为，那些零食很值。',
    },
  },
  {
    id: 'suspense',
    match: /suspen|myster|thrill|noir|detective|crime|悬疑|推理|惊悚|神秘|侦探|悬念/iu,
    en: {
      opening: (s) => `Nobody saw it coming. The first clue about ${s} was hidden in plain sight, and no one noticed it for days.`,
      moods: ['uneasy', 'watchful', 'unexplained'],
      closing: 'Some doors were closed that night. One of them, quietly, was still open.',
    },
    zh: {
      opening: (s) => `没有人料到会这样。关于${s}的第一条线索，就藏在所有人眼皮底下，却整整几天无人察觉。`,
      moods: ['令人不安', '诡秘', '说不清道不明'],
      closing: '那一夜，许多扇门都关上了。只有一扇，悄无声息地，仍然开着。',
    },
  },
  {
    id: 'horror',
    match: /horror|scary|creepy|ghost|dark|恐怖|黑暗|诡异|鬼|阴森/iu,
    en: {
      opening: (s) => `The old house had a rule: never speak of ${s} after dark. That night, someone broke it.`,
      moods: ['cold', 'whispering', 'shadowed'],
      closing: 'And if you listen closely on a windless night, you can still hear it breathing.',
    },
    zh: {
      opening: (s) => `老宅有一条规矩：天黑以后，不许提起${s}。那天夜里，有人破了这条规矩。`,
      moods: ['阴冷', '窃窃私语般', '影影绰绰'],
      closing: '如果在无风的夜里仔细倾听，你仍能听见它的呼吸声。',
    },
  },
  {
    id: 'romantic',
    match: /roman|love|tender|heartwarming|浪漫|爱情|温馨|恋/iu,
    en: {
      opening: (s) => `Some stories begin with a glance. This one began with ${s}, and with two people who almost missed each other.`,
      moods: ['warm', 'gentle', 'glowing'],
      closing: 'Love, it turned out, had been waiting patiently at the end of every road.',
    },
    zh: {
      opening: (s) => `有些故事始于一次回眸，而这个故事始于${s}，始于两个差一点就错过彼此的人。`,
      moods: ['温柔', '暖融融', '闪着微光'],
      closing: '原来，爱一直耐心地等在每一条路的尽头。',
    },
  },
  {
    id: 'epic',
    match: /epic|hero|legend|saga|myth|史诗|英雄|传奇|武侠|神话/iu,
    en: {
      opening: (s) => `Long ago, when the world was younger and braver, the bards sang of ${s}. This is that song, told plainly.`,
      moods: ['mighty', 'thundering', 'legendary'],
      closing: 'And so the tale passed into legend, sung by firelight for a thousand years.',
    },
    zh: {
      opening: (s) => `很久很久以前，在天地更年轻、人心更勇敢的年代，吟游诗人传唱着${s}的故事。`,
      moods: ['气吞山河', '惊天动地', '传奇般'],
      closing: '从此，这段往事化作传说，在篝火旁被传唱了千年。',
    },
  },
  {
    id: 'scifi',
    match: /sci-?fi|science fiction|futur|cyber|space|robot|科幻|未来|赛博|太空|星际/iu,
    en: {
      opening: (s) => `Log entry 001. Subject: ${s}. Status: unresolved. The sensors had never recorded anything like it.`,
      moods: ['humming', 'neon-lit', 'impossibly precise'],
      closing: 'End of log. Somewhere beyond the last relay, the signal kept on transmitting.',
    },
    zh: {
      opening: (s) => `日志编号001。主题：${s}。状态：未解决。所有传感器都从未记录过这样的数据。`,
      moods: ['低声嗡鸣', '霓虹闪烁', '精确得不可思议'],
      closing: '日志结束。在最后一座中继站之外，那个信号仍在不停地发送。',
    },
  },
  {
    id: 'fairy',
    match: /fairy|fable|child|kid|bedtime|whimsical|童话|寓言|儿童|睡前|童趣/iu,
    en: {
      opening: (s) => `Once upon a time, in a land where the rivers told jokes, there lived a story about ${s}.`,
      moods: ['magical', 'twinkling', 'enchanted'],
      closing: 'And they all lived happily, and a little more wisely, ever after.',
    },
    zh: {
      opening: (s) => `从前，在一个河流会讲笑话的国度里，流传着一个关于${s}的故事。`,
      moods: ['神奇', '亮晶晶', '带着魔法'],
      closing: '从此以后，大家都过上了幸福的生活，也变得更聪明了一点点。',
    },
  },
  {
    id: 'poetic',
    match: /poet|lyric|melanchol|nostalg|quiet|calm|诗意|抒情|伤感|怀旧|散文|宁静/iu,
    en: {
      opening: (s) => `Like the last light on water, ${s} arrived softly, and stayed longer than anyone expected.`,
      moods: ['silver', 'hushed', 'softly fading'],
      closing: 'The evening folded itself away, and only the memory remained, clear as rain.',
    },
    zh: {
      opening: (s) => `像水面上最后一缕余晖，${s}悄悄地来了，却停留得比谁都久。`,
      moods: ['银白', '静悄悄', '渐渐淡去'],
      closing: '暮色缓缓合拢，只留下一段回忆，清澈如雨。',
    },
  },
];

const NEUTRAL: Tone = {
  id: 'neutral',
  en: { opening: (s) => `This is a story about ${s}.`, moods: ['quiet', 'curious', 'bright'], closing: '' },
  zh: { opening: (s) => `这是一个关于${s}的故事。`, moods: ['安静', '奇妙', '明亮'], closing: '' },
};

/** Finds the tone a style asks for; an unknown style is named in the opening instead. */
export function toneFor(style: string | undefined): Tone {
  const wanted = (style ?? '').trim().slice(0, 60);
  if (wanted === '') return NEUTRAL;
  const found = TONES.find((tone) => tone.match.test(wanted));
  if (found) return found;
  return {
    id: 'custom',
    en: { ...NEUTRAL.en, opening: (s) => `Told in a ${wanted} voice, this is a story about ${s}.` },
    zh: { ...NEUTRAL.zh, opening: (s) => `下面用“${wanted}”的笔调，讲一个关于${s}的故事。` },
  };
}

export function toneText(tone: Tone, language: Language): ToneText {
  return language === 'zh' ? tone.zh : tone.en;
}
