import { describe, expect, it } from 'vitest';
import { createTokenBatcher } from '../../server/worker/token-batcher.ts';

describe('token batcher', () => {
  it('sends the first token at once and gathers the rest while an append is in flight', async () => {
    const sent: string[] = [];
    let release!: () => void;
    const batcher = createTokenBatcher(
      (text) => {
        sent.push(text);
        return sent.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
      () => {},
    );
    batcher.push('你');
    for (const t of ['好', '，', '世', '界']) batcher.push(t);
    expect(sent).toEqual(['你']);
    release();
    await batcher.flush();
    expect(sent).toEqual(['你', '好，世界']);
  });

  it('never splits a surrogate pair across two appends', async () => {
    const sent: string[] = [];
    let release!: () => void;
    const batcher = createTokenBatcher(
      (text) => {
        sent.push(text);
        return sent.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
      () => {},
    );
    const emoji = '🎉';
    batcher.push('a');
    batcher.push(emoji[0]); // a model may hand out half of a character
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual(['a']);
    batcher.push(emoji[1]);
    await batcher.flush();
    expect(sent).toEqual(['a', emoji]);
  });

  it('surfaces a failed append (a lost lease) on the next push and on flush', async () => {
    const lost = new Error('lease lost');
    let reported: unknown;
    const batcher = createTokenBatcher(() => Promise.reject(lost), (err) => (reported = err));
    batcher.push('x');
    await expect(batcher.flush()).rejects.toBe(lost);
    expect(reported).toBe(lost);
    expect(() => batcher.push('y')).toThrow(lost);
  });
});
