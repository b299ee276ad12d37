import { describe, expect, it } from 'vitest';
import { offlineCameraShots } from '../../server/offline/text/camera.ts';
import { cameraJson, jsonTokens, storyboardJson } from '../../server/offline/text/json-stream.ts';
import { detectLanguage } from '../../server/offline/text/language.ts';
import { OfflineRewriteInputError, offlineRewrite } from '../../server/offline/text/rewrite.ts';
import { createRandom } from '../../server/offline/seed.ts';
import { OfflineStoryboardInputError, offlineStoryboard } from '../../server/offline/text/storyboard.ts';
import { tokenize } from '../../server/offline/text/tokenize.ts';
import { CAMERA_MOVEMENTS } from '../../server/providers/scene.ts';

const HAN = /\p{Script=Han}/gu;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;
const hanCount = (text: string) => (text.match(HAN) ?? []).length;
const wordCount = (text: string) => text.split(/\s+/u).filter(Boolean).length;

const EN_TOPIC = 'A lighthouse keeper who finds a message in a bottle';
const ZH_TOPIC = '一只想飞的猫';
const EN_TEXT =
  'The fox was hungry. It saw grapes hanging high on a vine! It jumped and jumped, but could not reach them. "They are probably sour anyway," it said, and walked away.';
const ZH_TEXT = '狐狸饿了。它看见葡萄架上挂着一串串葡萄。它跳了又跳，还是够不着。最后它说：“这些葡萄肯定是酸的。”然后走开了。';

describe('detectLanguage', () => {
  it('decides by the share of Han characters among letters', () => {
    expect(detectLanguage('Once upon a time')).toBe('en');
    expect(detectLanguage('从前有一座山')).toBe('zh');
    expect(detectLanguage('我喜欢 JavaScript 编程')).toBe('zh');
    expect(detectLanguage('Last year I visited 北京 with my family')).toBe('en');
    expect(detectLanguage('')).toBe('en');
  });
});

describe('tokenize', () => {
  const samples = [
    "Hello, world! It's a test: don't panic.",
    '从前有一座山，山里有座庙。庙里有个老和尚！',
    'Hi 👋🏽 family 👨‍👩‍👧 flags 🇨🇳🇺🇸 and 𠀀𠀁𠀂 rare Han',
    '混合 mixed 文本 text，带标点。And café naïve a\u0301.',
    '{\n  "scenes": [\n    {\n      "index": 0\n    }\n  ]\n}',
    'x'.repeat(100) + ' ' + '😀'.repeat(30),
    '',
  ];

  it('round-trips exactly and never leaves a lone surrogate', () => {
    for (const text of samples) {
      const tokens = tokenize(text);
      expect(tokens.join('')).toBe(text);
      for (const token of tokens) {
        expect(token.length).toBeGreaterThan(0);
        expect(LONE_SURROGATE.test(token)).toBe(false);
      }
    }
  });

  it('round-trips random strings of mixed scripts, emoji and punctuation', () => {
    const random = createRandom(42);
    const alphabet = Array.from('ab Z9,.!?\n\t“”。，！？、中文字𠀀😀👍🏽\u200d\ufe0f🇨é\u0301—');
    for (let round = 0; round < 200; round++) {
      const text = Array.from({ length: Math.floor(random() * 60) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const tokens = tokenize(text);
      expect(tokens.join('')).toBe(text);
      for (const token of tokens) expect(LONE_SURROGATE.test(token)).toBe(false);
    }
  });

  it('streams English by word and Chinese by one or two characters', () => {
    expect(tokenize('The quick fox, jumped.')).toEqual(['The ', 'quick ', 'fox, ', 'jumped.']);
    const tokens = tokenize(ZH_TEXT);
    for (const token of tokens) expect(hanCount(token)).toBeLessThanOrEqual(2);
    expect(tokens.length).toBeGreaterThan(hanCount(ZH_TEXT) / 2 - 1);
    expect(tokenize(ZH_TEXT)).toEqual(tokens);
  });
});

describe('offlineRewrite from a topic', () => {
  it('is deterministic and differs between topics', () => {
    expect(offlineRewrite({ topic: EN_TOPIC })).toBe(offlineRewrite({ topic: EN_TOPIC }));
    expect(offlineRewrite({ topic: ZH_TOPIC })).toBe(offlineRewrite({ topic: ZH_TOPIC }));
    expect(offlineRewrite({ topic: EN_TOPIC })).not.toBe(offlineRewrite({ topic: 'A robot who learns to paint' }));
    expect(offlineRewrite({ topic: ZH_TOPIC })).not.toBe(offlineRewrite({ topic: '外婆的老房子' }));
  });

  it('writes 3–6 paragraphs of the right length, about the topic, in its language', () => {
    for (const topic of [EN_TOPIC, 'time travel', 'Write a story about a lonely robot learning to paint', 'the last bakery in Paris']) {
      const story = offlineRewrite({ topic });
      expect(detectLanguage(story)).toBe('en');
      expect(hanCount(story)).toBe(0);
      expect(wordCount(story)).toBeGreaterThanOrEqual(150);
      expect(wordCount(story)).toBeLessThanOrEqual(300);
      const paragraphs = story.split('\n\n');
      expect(paragraphs.length).toBeGreaterThanOrEqual(3);
      expect(paragraphs.length).toBeLessThanOrEqual(6);
    }
    expect(offlineRewrite({ topic: EN_TOPIC })).toMatch(/lighthouse/u);
    for (const topic of [ZH_TOPIC, '外婆的老房子', '请写一个关于程序员加班的故事', '月亮上的兔子']) {
      const story = offlineRewrite({ topic });
      expect(detectLanguage(story)).toBe('zh');
      expect(hanCount(story)).toBeGreaterThanOrEqual(300);
      expect(hanCount(story)).toBeLessThanOrEqual(600);
      expect(story).not.toMatch(/\b(the|and|story)\b/u);
    }
    expect(offlineRewrite({ topic: ZH_TOPIC })).toContain('想飞的猫');
    expect(offlineRewrite({ topic: '请写一个关于程序员加班的故事' })).toContain('程序员加班');
  });

  it('lets style and instructions show', () => {
    const plain = offlineRewrite({ topic: EN_TOPIC });
    const funny = offlineRewrite({ topic: EN_TOPIC, style: 'humorous' });
    expect(funny).not.toBe(plain);
    expect(funny).toMatch(/snacks/u);
    expect(offlineRewrite({ topic: EN_TOPIC, style: 'steampunk' })).toMatch(/steampunk/u);
    expect(offlineRewrite({ topic: ZH_TOPIC, style: '悬疑' })).toMatch(/线索/u);
    expect(offlineRewrite({ topic: EN_TOPIC, instructions: 'end with a twist' })).toMatch(/twist/u);
    expect(offlineRewrite({ topic: ZH_TOPIC, instructions: '主角是程序员' })).toContain('主角是程序员');
    expect(offlineRewrite({ topic: EN_TOPIC, instructions: 'keep it short' }).split('\n\n')).toHaveLength(3);
  });

  it('refuses an empty input with a named error', () => {
    expect(() => offlineRewrite({ topic: '  ' })).toThrow(OfflineRewriteInputError);
  });
});

describe('offlineRewrite from a text', () => {
  it('keeps every sentence, adds an opening and an ending, in the text language', () => {
    const en = offlineRewrite({ text: EN_TEXT });
    for (const part of ['The fox was hungry.', 'It saw grapes hanging high on a vine!', 'walked away.']) expect(en).toContain(part);
    expect(en.indexOf('The fox was hungry.')).toBeGreaterThan(0);
    expect(en.trim().endsWith('walked away.')).toBe(false);
    expect(detectLanguage(en)).toBe('en');

    const zh = offlineRewrite({ text: ZH_TEXT });
    for (const part of ['狐狸饿了。', '它看见葡萄架上挂着一串串葡萄。', '“这些葡萄肯定是酸的。”']) expect(zh).toContain(part);
    expect(zh.indexOf('狐狸饿了。')).toBeGreaterThan(0);
    expect(detectLanguage(zh)).toBe('zh');
  });

  it('normalises whitespace and is deterministic', () => {
    const messy = 'The fox   was hungry.\nIt saw\ngrapes on a vine.   ';
    const once = offlineRewrite({ text: messy });
    expect(once).toBe(offlineRewrite({ text: messy }));
    expect(once).toContain('It saw grapes on a vine.');
    expect(once).not.toMatch(/ {2}/u);
    expect(offlineRewrite({ text: ZH_TEXT, style: '幽默' })).not.toBe(offlineRewrite({ text: ZH_TEXT }));
  });
});

describe('offlineStoryboard', () => {
  const enStory = offlineRewrite({ topic: EN_TOPIC });
  const zhStory = offlineRewrite({ topic: ZH_TOPIC });

  it('gives exactly sceneCount non-empty scenes for 1, 5 and 20', () => {
    for (const [story, language] of [[enStory, 'en'], [zhStory, 'zh'], ['Hi.', 'en'], ['狐狸饿了。', 'zh']] as const) {
      for (const count of [1, 5, 20]) {
        const scenes = offlineStoryboard(story, count);
        expect(scenes).toHaveLength(count);
        scenes.forEach((scene, i) => {
          expect(scene.index).toBe(i);
          expect(scene.narration.trim()).not.toBe('');
          expect(scene.visualPrompt.trim()).not.toBe('');
          expect(detectLanguage(scene.visualPrompt)).toBe(language);
          expect(scene.durationSeconds).toBeGreaterThanOrEqual(3);
          expect(scene.durationSeconds).toBeLessThanOrEqual(8);
        });
      }
    }
  });

  it('covers the whole text in order when it has enough sentences', () => {
    const scenes = offlineStoryboard(enStory, 5);
    const flat = (text: string) => text.replace(/\s+/gu, ' ').trim();
    expect(flat(scenes.map((scene) => scene.narration).join(' '))).toBe(flat(enStory));
    const zhScenes = offlineStoryboard(zhStory, 5);
    expect(zhScenes.map((scene) => scene.narration).join('')).toBe(zhStory.replace(/\s+/gu, ''));
  });

  it('splits sentences rather than repeating them when it can', () => {
    const scenes = offlineStoryboard(EN_TEXT, 8);
    expect(new Set(scenes.map((scene) => scene.narration)).size).toBe(8);
  });

  it('is deterministic and rejects impossible counts', () => {
    expect(offlineStoryboard(zhStory, 5)).toEqual(offlineStoryboard(zhStory, 5));
    expect(offlineStoryboard(enStory, 5)).not.toEqual(offlineStoryboard(zhStory, 5));
    expect(() => offlineStoryboard(enStory, 0)).toThrow(OfflineStoryboardInputError);
    expect(() => offlineStoryboard('   ', 3)).toThrow(OfflineStoryboardInputError);
  });
});

describe('offlineCameraShots', () => {
  it('gives one allowed shot per scene, described in the scene language', () => {
    for (const story of [offlineRewrite({ topic: EN_TOPIC }), offlineRewrite({ topic: ZH_TOPIC })]) {
      const scenes = offlineStoryboard(story, 6);
      const shots = offlineCameraShots(scenes, 'epic');
      expect(shots).toHaveLength(6);
      shots.forEach((shot, i) => {
        expect(shot.sceneIndex).toBe(i);
        expect(CAMERA_MOVEMENTS).toContain(shot.movement);
        expect(detectLanguage(shot.description)).toBe(detectLanguage(scenes[i]!.narration));
        if (i > 0) expect(shot.movement === shots[i - 1]!.movement).toBe(false);
      });
      expect(offlineCameraShots(scenes, 'epic')).toEqual(shots);
    }
  });

  it('follows the words of the scene', () => {
    const [shot] = offlineCameraShots([{ index: 0, narration: 'The bird rose into the sky above the tower.', visualPrompt: '' }]);
    expect(shot!.movement).toBe('tilt-up');
    expect(shot!.description).toMatch(/bird|sky|tower/u);
  });
});

describe('json-stream', () => {
  it('streams JSON that joins and parses back to the same object', () => {
    const scenes = offlineStoryboard(offlineRewrite({ topic: ZH_TOPIC }), 4);
    const shots = offlineCameraShots(scenes);
    for (const [json, value] of [[storyboardJson(scenes), { scenes }], [cameraJson(shots), { shots }]] as const) {
      const tokens = jsonTokens(json);
      expect(tokens.length).toBeGreaterThan(20);
      expect(tokens.join('')).toBe(json);
      expect(JSON.parse(tokens.join(''))).toEqual(value);
    }
  });
});
