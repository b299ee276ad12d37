/**
 * An incremental parser for `text/event-stream` (the WHATWG "event stream" format).
 * Feed it decoded text chunks as they arrive; it returns the events completed so far.
 * Comments (`:` lines, used by servers as pings) are dropped; `id` and `retry` are
 * ignored because GraphQL over SSE in "distinct connections" mode does not use them.
 */

export interface SseEvent {
  /** `message` when the event has no `event:` field. */
  event: string;
  data: string;
}

export interface SseParser {
  push(chunk: string): SseEvent[];
}

export function createSseParser(): SseParser {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let sawCr = false;

  function dispatch(out: SseEvent[]): void {
    if (data.length > 0) out.push({ event: event || 'message', data: data.join('\n') });
    event = '';
    data = [];
  }

  function line(text: string, out: SseEvent[]): void {
    if (text === '') return dispatch(out);
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }

  return {
    push(chunk) {
      const out: SseEvent[] = [];
      let text = chunk;
      // A CR at the end of the previous chunk already ended a line; skip its LF.
      if (sawCr && text.startsWith('\n')) text = text.slice(1);
      sawCr = false;
      buffer += text;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer[i];
        if (c !== '\n' && c !== '\r') continue;
        line(buffer.slice(start, i), out);
        if (c === '\r') {
          if (i + 1 === buffer.length) sawCr = true;
          else if (buffer[i + 1] === '\n') i++;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
      return out;
    },
  };
}
