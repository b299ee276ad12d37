import { describe, expect, it } from 'vitest';
import { webvttOf, wrapToWidth } from '../../server/media/webvtt.ts';

describe('webvttOf', () => {
  it('writes numbered cues with millisecond stamps, escaping what WebVTT reads as markup', () => {
    const vtt = webvttOf([
      { startSeconds: 0, endSeconds: 2.5, text: '第一句。' },
      { startSeconds: 2.5, endSeconds: 3725.0004, text: 'a <b> & c --> d' },
    ]);
    expect(vtt).toBe('WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.500\n第一句。\n\n2\n00:00:02.500 --> 01:02:05.000\na &lt;b> &amp; c → d\n');
  });
});

describe('wrapToWidth', () => {
  it('breaks Chinese between characters, never before closing punctuation, and English at spaces', () => {
    const zh = '这是一个关于一位守灯塔的老人在暴风雨夜收到了一封迷路的信的故事。';
    const lines = wrapToWidth(zh, 10).split('\n');
    expect(lines.join('')).toBe(zh);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(11); // a closing mark may hang
    for (const line of lines) expect(line).not.toMatch(/^[，。]/u);
    // A Latin letter or a space is half an em: 8 em hold 16 of them.
    expect(wrapToWidth('The keeper lit the lamp every night', 8).split('\n')).toEqual(['The keeper lit', 'the lamp every', 'night']);
  });
});
