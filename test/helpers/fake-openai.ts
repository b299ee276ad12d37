// A real OpenAI-compatible HTTP server on loopback, for tests that drive the `openai` SDK
// (`new OpenAI({ apiKey: 'test', baseURL: `${fake.url}/v1` })`) instead of mocking it.
// Serves chat completions (JSON and SSE), gpt-image-1 image generations, Sora-style
// video jobs and speech (audio.speech, real WAV bytes), records every request, and plays scripted faults per route, one a request.
//
// This file is the composition root: routing, auth, recording and faults. Each endpoint's
// behaviour lives in a sibling file (fake-openai-chat, -images, -videos, -speech), the wire helpers
// in fake-openai-http and the PNG/GIF encoders in fake-openai-media.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';
import type { ImageGenerateParams } from 'openai/resources/images';
import { answerChat, echoResponder, invalidChatRequest, type ChatResponder, type ChatStreamFault } from './fake-openai-chat.ts';
import { parseMultipart, readBody, sendError, sendJson, sleep, type MultipartFields } from './fake-openai-http.ts';
import { generateImages, invalidImageRequest } from './fake-openai-images.ts';
import { invalidSpeechRequest, speak } from './fake-openai-speech.ts';
import { createVideoJobs, type VideoFailFault, type VideoResult } from './fake-openai-videos.ts';

export type { ChatReply, ChatResponder, ChatStreamFault } from './fake-openai-chat.ts';
export type { MultipartFields, UploadedFile } from './fake-openai-http.ts';
export { colourOf, type Rgb } from './fake-openai-media.ts';
export type { VideoFailFault } from './fake-openai-videos.ts';

/** The endpoints the fake serves, as named in `failNext` and `requests`. */
export type RouteName = 'chat' | 'images' | 'videos.create' | 'videos.retrieve' | 'videos.content' | 'speech';

/** Answer with an OpenAI error body `{ error: { message, type, code, param: null } }` and this status. */
export interface HttpErrorFault {
  status: 400 | 401 | 429 | 500 | 503;
  /** @default a short message naming the status */
  message?: string;
  /** Sent as the `retry-after` header (the SDK obeys it when it retries). */
  retryAfterSeconds?: number;
}

/** Wait this long, then answer normally; nothing is written if the client leaves first. */
export interface HangFault {
  hangMs: number;
}

/** The faults a route accepts: stream faults only for chat, `videoFails` only for retrieve. */
export type FaultFor<R extends RouteName> =
  | HttpErrorFault
  | HangFault
  | (R extends 'chat' ? ChatStreamFault : never)
  | (R extends 'videos.retrieve' ? VideoFailFault : never);

export type Fault = FaultFor<RouteName>;

export interface RecordedRequest {
  /** null for a path the fake does not serve (answered 404). */
  route: RouteName | null;
  method: string;
  /** The path without the query string, e.g. `/v1/videos/video_123/content`. */
  path: string;
  query: Record<string, string>;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Parsed JSON; for multipart/form-data the {@link MultipartFields}; the raw text if unparseable; null when empty. */
  body: unknown;
  /** `Date.now()` when the body had been read. */
  at: number;
  /** The fault this request was given (queued by `failNext` or drawn by `randomFaults`), if any. */
  fault?: Fault;
}

/**
 * Faults drawn at random, for soak runs: each request to one of `routes` gets, with
 * probability `rate`, one of `faults` picked uniformly among those its route accepts
 * (stream faults only on chat, `videoFails` only on videos.retrieve). A fault queued with
 * `failNext` goes first; then no fault is drawn for that request.
 */
export interface RandomFaults {
  /** Chance, 0 to 1, that a request gets a fault. */
  rate: number;
  faults: Fault[];
  /** @default ['chat'] */
  routes?: RouteName[];
  /** Numbers in [0, 1), e.g. a seeded generator for a repeatable run. @default Math.random */
  random?: () => number;
}

export interface FakeOpenAIOptions {
  /**
   * Code points per streamed content chunk, when a reply gives no `chunks`.
   * @default 4
   */
  chunkSize?: number;
  /**
   * Pause between streamed chat chunks, in ms.
   * @default 0
   */
  chunkDelayMs?: number;
  /**
   * A video's `progress` at create (status `queued`) and after each retrieve
   * (`in_progress`); the last step is `completed`.
   * @default [0, 50, 100]
   */
  videoProgress?: number[];
  /**
   * Width and height of generated PNGs, in pixels.
   * @default 8
   */
  imagePixels?: number;
  /** Faults drawn at random from the start; see {@link FakeOpenAI.randomFaults}. @default none */
  randomFaults?: RandomFaults;
}

export interface FakeOpenAI {
  /** `http://127.0.0.1:PORT`; the SDK's baseURL is this plus `/v1`. */
  readonly url: string;
  /** Every request received, in order (also those answered 401 or 404). Cleared by `reset`. */
  readonly requests: readonly RecordedRequest[];
  readonly chat: {
    /** Sets what chat completions answer; null restores the default echo. */
    respond(responder: ChatResponder | null): void;
  };
  /** Queues faults for `route`: each request to it takes the next one, then behaviour is normal. */
  failNext<R extends RouteName>(route: R, ...faults: FaultFor<R>[]): void;
  /** Draws faults at random from now on (replacing earlier settings); null stops it. Kept by `reset`. */
  randomFaults(settings: RandomFaults | null): void;
  /** Forgets requests, queued faults, video jobs and the chat responder. */
  reset(): void;
  /** Closes the server and every open connection. */
  close(): Promise<void>;
}

function routeOf(method: string, path: string): { route: RouteName; videoId?: string } | null {
  if (method === 'POST' && path === '/v1/chat/completions') return { route: 'chat' };
  if (method === 'POST' && path === '/v1/images/generations') return { route: 'images' };
  if (method === 'POST' && path === '/v1/videos') return { route: 'videos.create' };
  if (method === 'POST' && path === '/v1/audio/speech') return { route: 'speech' };
  const video = /^\/v1\/videos\/([^/]+)(\/content)?$/.exec(path);
  if (method === 'GET' && video) return { route: video[2] ? 'videos.content' : 'videos.retrieve', videoId: decodeURIComponent(video[1]!) };
  return null;
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

const STATUS_MESSAGES: Record<HttpErrorFault['status'], string> = {
  400: 'Bad request (scripted by the fake).',
  401: 'Incorrect API key provided (scripted by the fake).',
  429: 'Rate limit reached (scripted by the fake).',
  500: 'The server had an error while processing your request (scripted by the fake).',
  503: 'The engine is currently overloaded (scripted by the fake).',
};

/** Parses a request body: multipart fields, JSON, or (when unparseable) the raw text. */
function parseBody(raw: Buffer, contentType: string): { body: unknown; json: boolean; invalid: boolean } {
  const form = parseMultipart(raw, contentType);
  if (form) return { body: form, json: false, invalid: false };
  if (raw.length === 0) return { body: null, json: false, invalid: false };
  try {
    return { body: JSON.parse(raw.toString('utf8')), json: true, invalid: false };
  } catch {
    return { body: raw.toString('utf8'), json: false, invalid: true };
  }
}

/** Whether `route` can play `fault` (the same rule {@link FaultFor} states for tsc). */
function routeAccepts(route: RouteName, fault: Fault): boolean {
  if ('status' in fault || 'hangMs' in fault) return true;
  if ('videoFails' in fault) return route === 'videos.retrieve';
  return route === 'chat';
}

function drawFault(route: RouteName, settings: RandomFaults | null): Fault | undefined {
  if (!settings || !(settings.routes ?? ['chat']).includes(route)) return undefined;
  const random = settings.random ?? Math.random;
  if (random() >= settings.rate) return undefined;
  const usable = settings.faults.filter((f) => routeAccepts(route, f));
  return usable.length ? usable[Math.floor(random() * usable.length)] : undefined;
}

export async function createFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const chatSettings = { chunkSize: options.chunkSize ?? 4, chunkDelayMs: options.chunkDelayMs ?? 0 };
  const imagePixels = options.imagePixels ?? 8;
  const videos = createVideoJobs(options.videoProgress ?? [0, 50, 100]);
  const requests: RecordedRequest[] = [];
  const faults = new Map<RouteName, Fault[]>();
  let responder: ChatResponder = echoResponder;
  let random: RandomFaults | null = options.randomFaults ?? null;
  let requestCount = 0;

  const sendVideoResult = <T>(res: ServerResponse, result: VideoResult<T>, ok: (value: T) => void) =>
    result.ok ? ok(result.value) : sendError(res, result.status, { message: result.message, param: result.param ?? null });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The client leaving (or `close()`) ends hangs and streams without writing more.
    const left = new AbortController();
    res.on('close', () => left.abort());
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://fake-openai');
    const match = routeOf(method, url.pathname);
    const parsed = parseBody(await readBody(req), req.headers['content-type'] ?? '');
    const recorded: RecordedRequest = {
      route: match?.route ?? null,
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: flatHeaders(req.headers),
      body: parsed.body,
      at: Date.now(),
    };
    requests.push(recorded);
    res.setHeader('x-request-id', `req_fake_${++requestCount}`);

    if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) {
      return sendError(res, 401, { message: "You didn't provide an API key (expected 'Authorization: Bearer <key>').", code: null });
    }
    if (!match) return sendError(res, 404, { message: `Invalid URL (${method} ${url.pathname})`, code: null });
    if (parsed.invalid) return sendError(res, 400, { message: 'We could not parse the JSON body of your request.' });

    const fault = faults.get(match.route)?.shift() ?? drawFault(match.route, random);
    if (fault) recorded.fault = fault;
    if (fault && 'status' in fault) {
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      return sendError(res, fault.status, { message: fault.message ?? STATUS_MESSAGES[fault.status] }, headers);
    }
    if (fault && 'hangMs' in fault && !(await sleep(fault.hangMs, left.signal))) return;

    switch (match.route) {
      case 'chat': {
        const problem = invalidChatRequest(parsed.body);
        if (problem) return sendError(res, 400, problem);
        const streamFault = fault && !('hangMs' in fault) && !('videoFails' in fault) ? fault : undefined;
        // The body was checked for the fields the fake reads; the rest is the client's business.
        return answerChat(res, left.signal, parsed.body as ChatCompletionCreateParams, responder, chatSettings, streamFault);
      }
      case 'images': {
        const problem = invalidImageRequest(parsed.body);
        if (problem) return sendError(res, 400, problem);
        return sendJson(res, 200, generateImages(parsed.body as ImageGenerateParams, imagePixels));
      }
      case 'speech': {
        const problem = invalidSpeechRequest(parsed.body);
        if (problem) return sendError(res, 400, problem);
        const wav = speak(parsed.body as { input: string; voice: string; speed?: number });
        res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': String(wav.length) });
        return void res.end(wav);
      }
      case 'videos.create': {
        if (parsed.json || parsed.body === null) return sendError(res, 400, { message: 'Expected a multipart/form-data body.' });
        return sendVideoResult(res, videos.create(parsed.body as MultipartFields), (video) => sendJson(res, 200, video));
      }
      case 'videos.retrieve': {
        const failure = fault && 'videoFails' in fault ? fault : undefined;
        return sendVideoResult(res, videos.retrieve(match.videoId!, failure), (video) => sendJson(res, 200, video));
      }
      case 'videos.content':
        return sendVideoResult(res, videos.content(match.videoId!, url.searchParams.get('variant') ?? undefined), ({ contentType, bytes }) => {
          res.writeHead(200, { 'content-type': contentType, 'content-length': String(bytes.length) });
          res.end(bytes);
        });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A bug in the fake or a throwing responder: say so loudly, in the answer itself.
      if (!res.headersSent) sendError(res, 500, { message: `fake-openai: ${err instanceof Error ? err.message : String(err)}` });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    chat: {
      respond(next) {
        responder = next ?? echoResponder;
      },
    },
    failNext(route, ...more) {
      faults.set(route, [...(faults.get(route) ?? []), ...more]);
    },
    randomFaults(settings) {
      random = settings;
    },
    reset() {
      requests.length = 0;
      faults.clear();
      videos.reset();
      responder = echoResponder;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
