// Numbers and plurals as the interface language writes them.
import { describe, expect, it } from 'vitest';
import { format, MESSAGES } from '../../client/src/lib/i18n/messages.ts';

describe('format', () => {
  it('picks the plural form by the language\'s rules: "1 credit", "2 credits"', () => {
    const credits = MESSAGES.en['credits.value'];
    expect(format(credits, { n: 1 }, 'en')).toBe('1 credit');
    expect(format(credits, { n: 0 }, 'en')).toBe('0 credits');
    expect(format(credits, { n: 1000 }, 'en')).toBe('1,000 credits');
    expect(format(MESSAGES.en['project.pipelineCost'], { n: 1 }, 'en')).toBe('Up to 1 credit');
    expect(format(MESSAGES['zh-CN']['credits.value'], { n: 1 }, 'zh-CN')).toBe('1 点');
    expect(format(MESSAGES['zh-CN']['credits.value'], { n: 12000 }, 'zh-CN')).toBe('12,000 点');
  });

  it('formats numbers for the language, at most one decimal', () => {
    expect(format(MESSAGES.en['rate.tokensPerSecond'], { n: 24.66 }, 'en')).toBe('24.7 tokens/s');
    expect(format(MESSAGES['zh-CN']['rate.tokensPerSecond'], { n: 1234.5 }, 'zh-CN')).toBe('每秒 1,234.5 个词元');
    expect(format('{name} and {n}', { name: 'x', n: 3 }, 'en')).toBe('x and 3');
  });
});
