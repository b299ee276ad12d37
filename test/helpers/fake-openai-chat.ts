// POST /v1/chat/completions for the fake OpenAI server: a chat.completion JSON, or with
// `stream: true` the Server-Sent Events OpenAI sends (role chunk, content chunks, a
// finish chunk, an optional usage chunk, then `data: [DONE]`).
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParams, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import { sleep, writeFlushed, writeSplitUtf8 } from './fake-openai-http.ts';

/** What a responder answers: the text, and optionally how to cut it into stream chunks. */
export type ChatReply = string | { content: string; chunks?: string[] };

/** Decides the assistant's text for a request. May be async; a throw becomes a 500. */
export type ChatResponder = (request: ChatCompletionCreateParams) => ChatReply | Promise<ChatReply>;

/** Faults that only make sense while the answer body is being written. */
export interface ChatStreamFault {
  /**
   * Streamed: send the role chunk and this many content chunks, then destroy the socket
   * (no finish chunk, no `[DONE]`). Not streamed: destroy the socket before answering.
   */
  cutAfterChunks?: number;
  /** Write the body in pieces cut inside every multi-byte UTF-8 character. */
  splitUtf8?: boolean;
}

export interface ChatSettings {
  /** Characters (code points) per streamed content chunk, when the reply gives no `chunks`. */
  chunkSize: number;
  /** Pause between streamed chunks, in ms. */
  chunkDelayMs: number;
}

function textOf(message: ChatCompletionMessageParam | undefined): string {
  const content = message?.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => ('text' in part && typeof part.text === 'string' ? part.text : '')).join('');
}

/** The default responder: echoes the last user message, in Chinese when it contains Han characters. */
export function echoResponder(request: ChatCompletionCreateParams): string {
  const text = textOf(request.messages.findLast((m) => m.role === 'user'));
  return /\p{Script=Han}/u.test(text) ? `回声：${text}` : `Echo: ${text}`;
}

/** Cuts `text` into chunks of `size` code points, so no surrogate pair is ever split. */
export function chunkText(text: string, size: number): string[] {
  const chars = Array.from(text);
  const chunks: string[] = [];
  for (let i = 0; i < chars.length; i += size) chunks.push(chars.slice(i, i + size).join(''));
  return chunks;
}

/** Checks the few fields the fake relies on; returns an error message, or null when usable. */
export function invalidChatRequest(body: unknown): { message: string; param: string } | null {
  const b = body as Partial<Record<string, unknown>> | null;
  if (!b || typeof b !== 'object') return { message: 'The request body must be a JSON object.', param: 'body' };
  if (typeof b.model !== 'string' || !b.model) return { message: "Missing required parameter: 'model'.", param: 'model' };
  if (!Array.isArray(b.messages) || b.messages.length === 0) return { message: "Missing required parameter: 'messages'.", param: 'messages' };
  return null;
}

function usageFor(request: ChatCompletionCreateParams, completionTokens: number): CompletionUsage {
  // A stable stand-in for a tokenizer: four characters a token.
  const promptTokens = Math.ceil(request.messages.reduce((n, m) => n + textOf(m).length, 0) / 4);
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/** Answers one chat request; resolves once the answer is written, cut, or the client left. */
export async function answerChat(
  res: ServerResponse,
  signal: AbortSignal,
  request: ChatCompletionCreateParams,
  responder: ChatResponder,
  settings: ChatSettings,
  fault: ChatStreamFault = {},
): Promise<void> {
  const reply = await responder(request);
  const content = typeof reply === 'string' ? reply : reply.content;
  const chunks = (typeof reply === 'string' ? undefined : reply.chunks) ?? chunkText(content, settings.chunkSize);
  if (chunks.join('') !== content) throw new Error('fake-openai: a reply’s chunks must join to its content');

  const id = `chatcmpl-${randomUUID().replaceAll('-', '').slice(0, 24)}`;
  const created = Math.floor(Date.now() / 1000);
  const common = { id, created, model: request.model, system_fingerprint: 'fp_fake', service_tier: 'default' as const };
  const usage = usageFor(request, chunks.length);

  if (!request.stream) {
    if (fault.cutAfterChunks !== undefined) return void res.destroy();
    const completion: ChatCompletion = {
      ...common,
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
      usage,
    };
    const body = Buffer.from(JSON.stringify(completion), 'utf8');
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
    if (!fault.splitUtf8) return void res.end(body);
    if (await writeSplitUtf8(res, body, signal)) res.end();
    return;
  }

  // With include_usage, OpenAI sends `usage: null` on every chunk and the totals on a last
  // chunk whose `choices` is empty.
  const withUsage = request.stream_options?.include_usage === true;
  const chunk = (delta: ChatCompletionChunk.Choice.Delta, finish: ChatCompletionChunk.Choice['finish_reason']): ChatCompletionChunk => ({
    ...common,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(withUsage ? { usage: null } : {}),
  });
  const events: ChatCompletionChunk[] = [
    chunk({ role: 'assistant', content: '', refusal: null }, null),
    ...chunks.map((piece) => chunk({ content: piece }, null)),
    chunk({}, 'stop'),
    ...(withUsage ? [{ ...common, object: 'chat.completion.chunk' as const, choices: [], usage }] : []),
  ];
  const finishAt = chunks.length + 1;
  const cutAt = fault.cutAfterChunks === undefined ? Infinity : Math.min(fault.cutAfterChunks + 1, finishAt);

  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  const write = (payload: string) => {
    const bytes = Buffer.from(`data: ${payload}\n\n`, 'utf8');
    return fault.splitUtf8 ? writeSplitUtf8(res, bytes, signal) : writeFlushed(res, bytes, signal);
  };
  for (let i = 0; i < events.length; i++) {
    // Everything before the cut has been flushed (each write is awaited), so the client
    // receives those chunks and then a connection that dies mid-body.
    if (i === cutAt) return void res.destroy();
    if (i > 0 && settings.chunkDelayMs > 0 && !(await sleep(settings.chunkDelayMs, signal))) return;
    if (!(await write(JSON.stringify(events[i])))) return;
  }
  if (await write('[DONE]')) res.end();
}
