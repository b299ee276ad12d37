import { describe, expect, it } from 'vitest';
import { createSseParser } from '../../client/src/lib/transport/sse-parser.ts';

describe('SSE parser', () => {
  it('parses graphql-yoga style next/complete events and skips ping comments', () => {
    const p = createSseParser();
    const events = p.push(':\n\nevent: next\ndata: {"data":{"x":1}}\n\n:\n\nevent: complete\ndata:\n\n');
    expect(events).toEqual([
      { event: 'next', data: '{"data":{"x":1}}' },
      { event: 'complete', data: '' },
    ]);
  });

  it('assembles events split across chunks anywhere, including inside CJK text', () => {
    const p = createSseParser();
    const payload = 'event: next\ndata: {"delta":"故事"}\n\n';
    const out = [];
    for (const ch of payload) out.push(...p.push(ch));
    expect(out).toEqual([{ event: 'next', data: '{"delta":"故事"}' }]);
  });

  it('handles CRLF and CR line endings, also split between chunks', () => {
    const p = createSseParser();
    expect(p.push('event: next\r\ndata: a\r')).toEqual([]);
    expect(p.push('\n\r\n')).toEqual([{ event: 'next', data: 'a' }]);
    expect(p.push('data: b\rdata: c\r\r')).toEqual([{ event: 'message', data: 'b\nc' }]);
  });
});
