// The fake OpenAI server, driven by the real `openai` SDK over loopback HTTP: what the
// SDK makes of each answer and each scripted fault is what our providers will see.
import { request as httpRequest } from 'node:http';
import { inflateSync } from 'node:zlib';
import OpenAI, { APIConnectionTimeoutError, AuthenticationError, BadRequestError, RateLimitError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { colourOf, createFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.ts';

let fake: FakeOpenAI;
let client: OpenAI;

beforeAll(async () => {
  fake = await createFakeOpenAI();
  client = new OpenAI({ apiKey: 'test', baseURL: `${fake.url}/v1`, maxRetries: 0 });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const ZH = '一只想飞的猫，在月光下的屋顶上望着星星🌙✨。它想：“总有一天，我也能飞。”';

/** Streams a completion through the SDK and returns the reassembled text and the chunks. */
async function streamChat(user: string, opts: { includeUsage?: boolean } = {}) {
  const stream = await client.chat.completions.create({
    model: 'gpt-test',
    stream: true,
    ...(opts.includeUsage ? { stream_options: { include_usage: true } } : {}),
    messages: [{ role: 'user', content: user }],
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { text: chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), chunks };
}

/** The raw response bytes of a streamed chat request, one Buffer per socket read. */
function rawStream(body: object): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${fake.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer test', 'content-type': 'application/json' } }, (res) => {
      const reads: Buffer[] = [];
      res.on('data', (b: Buffer) => reads.push(b));
      res.on('end', () => resolve(reads));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('chat completions', () => {
  it('streams the responder’s text as SSE that the SDK reassembles, with role, finish and usage chunks', async () => {
    const text = 'The lighthouse keeper found a message in a bottle.';
    fake.chat.respond(() => text);
    const { text: got, chunks } = await streamChat('Tell me a story', { includeUsage: true });
    expect(got).toBe(text);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks.length).toBeGreaterThan(5); // chunked a few characters at a time
    const finish = chunks.findIndex((c) => c.choices[0]?.finish_reason === 'stop');
    expect(finish).toBe(chunks.length - 2);
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage!.total_tokens).toBeGreaterThan(0);
    expect(fake.requests).toMatchObject([{ route: 'chat', method: 'POST', path: '/v1/chat/completions', headers: { authorization: 'Bearer test' } }]);
  });

  it('writes the exact OpenAI framing: data lines, a blank line after each, then [DONE]', async () => {
    const wire = Buffer.concat(await rawStream({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] })).toString('utf8');
    const events = wire.split('\n\n');
    expect(events.pop()).toBe('');
    expect(events.at(-1)).toBe('data: [DONE]');
    for (const event of events.slice(0, -1)) expect(JSON.parse(event.replace(/^data: /, '')).object).toBe('chat.completion.chunk');
  });

  it.each([false, true])('reassembles Chinese and emoji exactly (splitUtf8: %s)', async (splitUtf8) => {
    fake.chat.respond(() => ({ content: ZH, chunks: [ZH.slice(0, 5), ZH.slice(5, 12), ZH.slice(12)] }));
    if (splitUtf8) fake.failNext('chat', { splitUtf8: true });
    expect((await streamChat('讲个故事')).text).toBe(ZH);
  });

  it('with splitUtf8, really cuts characters across socket reads', async () => {
    fake.chat.respond(() => ZH);
    fake.failNext('chat', { splitUtf8: true });
    const reads = await rawStream({ model: 'm', stream: true, messages: [{ role: 'user', content: '你好' }] });
    const strict = new TextDecoder('utf-8', { fatal: true });
    const broken = reads.filter((read) => {
      try {
        strict.decode(read);
        return false;
      } catch {
        return true;
      }
    });
    expect(broken.length).toBeGreaterThan(0);
    expect(Buffer.concat(reads).toString('utf8')).toContain('data: [DONE]');
  });

  it('echoes by default, in the language of the last user message', async () => {
    expect((await streamChat('Hello there')).text).toBe('Echo: Hello there');
    expect((await streamChat('你好')).text).toBe('回声：你好');
  });

  it('answers a chat.completion JSON without stream', async () => {
    fake.chat.respond((req) => `model was ${req.model}`);
    const completion = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.content).toBe('model was gpt-test');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
  });

  it('plays a 429 (with retry-after), then answers normally', async () => {
    fake.failNext('chat', { status: 429, message: 'Slow down', retryAfterSeconds: 7 });
    const err = await streamChat('first').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).status).toBe(429);
    expect((err as RateLimitError).message).toBe('429 Slow down');
    expect((err as RateLimitError).headers?.get('retry-after')).toBe('7');
    expect((await streamChat('second')).text).toBe('Echo: second');
  });

  it('surfaces a scripted 400 as the SDK’s BadRequestError', async () => {
    fake.failNext('chat', { status: 400, message: 'Invalid schema' });
    const err = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err).toMatchObject({ status: 400, type: 'invalid_request_error', param: null });
  });

  // A cut stream does NOT end quietly in the SDK (6.49.0): after the chunks that arrived, the
  // iteration throws undici's `TypeError: terminated` (cause: SocketError 'other side closed',
  // code UND_ERR_SOCKET), which is not an APIError. Had the server ended the body cleanly
  // without finish_reason and [DONE], the iteration would simply stop, which is why our code
  // also treats "ended without finish_reason" as cut.
  it('cuts a stream after n content chunks: the SDK throws TypeError "terminated" after them', async () => {
    fake.chat.respond(() => ({ content: 'aaabbbcccddd', chunks: ['aaa', 'bbb', 'ccc', 'ddd'] }));
    fake.failNext('chat', { cutAfterChunks: 2 });
    const stream = await client.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['', 'aaa', 'bbb']);
    expect(err).toBeInstanceOf(TypeError);
    expect(err).toMatchObject({ message: 'terminated', cause: { code: 'UND_ERR_SOCKET' } });
    expect((await streamChat('again')).text).toBe('aaabbbcccddd'); // the fault was consumed
  });

  it('hangs, and lets the client give up without breaking the server', async () => {
    fake.failNext('chat', { hangMs: 10_000 });
    const started = Date.now();
    const err = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { timeout: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await streamChat('after')).text).toBe('Echo: after');
  });

  it('refuses a request without a bearer token', async () => {
    const res = await fetch(`${fake.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatchObject({ type: 'invalid_request_error', param: null });
    const anonymous = new OpenAI({ apiKey: 'test', baseURL: `${fake.url}/v1`, maxRetries: 0, defaultHeaders: { authorization: null } });
    await expect(anonymous.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(AuthenticationError);
  });
});

describe('images', () => {
  it('generates a base64 PNG in a colour derived from the prompt', async () => {
    const prompt = 'A lighthouse at dawn';
    const result = await client.images.generate({ model: 'gpt-image-1', prompt, size: '1024x1024', n: 1 });
    const png = Buffer.from(result.data![0]!.b64_json!, 'base64');
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([8, 8]);
    const idatLength = png.readUInt32BE(33);
    expect(png.toString('latin1', 37, 41)).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect([...raw.subarray(1, 4)]).toEqual([...colourOf(prompt)]);
    expect(result.usage!.total_tokens).toBeGreaterThan(0);
    expect(fake.requests[0]!.body).toMatchObject({ model: 'gpt-image-1', prompt, size: '1024x1024', n: 1 });
  });
});

/** Reads the frames of a GIF (block structure only, enough to count them). */
function gifFrameCount(gif: Buffer): number {
  expect(gif.toString('latin1', 0, 6)).toBe('GIF89a');
  let at = 13 + (gif[10]! & 0x80 ? 3 * 2 ** ((gif[10]! & 7) + 1) : 0);
  let frames = 0;
  const skipSubBlocks = () => {
    while (gif[at] !== 0) at += 1 + gif[at]!;
    at++;
  };
  for (;;) {
    const block = gif[at++];
    if (block === 0x3b) return frames;
    if (block === 0x21) {
      at++;
      skipSubBlocks();
    } else if (block === 0x2c) {
      at += 10; // descriptor, then the LZW minimum code size
      skipSubBlocks();
      frames++;
    } else {
      throw new Error(`unexpected GIF block ${block}`);
    }
  }
}

describe('videos', () => {
  it('creates from multipart, advances on each retrieve, then serves a small animated GIF', async () => {
    const reference = new File([Buffer.from('fake png')], 'reference.png', { type: 'image/png' });
    const created = await client.videos.create({ model: 'sora-2', prompt: 'A cat on a roof', seconds: '4', size: '720x1280', input_reference: reference });
    expect(created).toMatchObject({ object: 'video', model: 'sora-2', status: 'queued', progress: 0, seconds: '4', size: '720x1280' });
    expect(fake.requests[0]!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(fake.requests[0]!.body).toMatchObject({
      prompt: 'A cat on a roof',
      seconds: '4',
      input_reference: { filename: 'reference.png', contentType: 'image/png', size: 8 },
    });

    const seen = [];
    for (let video = created; video.status !== 'completed'; ) {
      video = await client.videos.retrieve(created.id);
      seen.push(`${video.status}:${video.progress}`);
    }
    expect(seen).toEqual(['in_progress:50', 'completed:100']);

    const content = await client.videos.downloadContent(created.id);
    expect(content.headers.get('content-type')).toBe('image/gif');
    expect(gifFrameCount(Buffer.from(await content.arrayBuffer()))).toBe(3);
    expect(fake.requests.map((r) => r.route)).toEqual(['videos.create', 'videos.retrieve', 'videos.retrieve', 'videos.content']);
  });

  it('fails a job when told to, and then keeps it failed', async () => {
    const { id } = await client.videos.create({ prompt: 'doomed' });
    fake.failNext('videos.retrieve', { videoFails: true, code: 'moderation_blocked' });
    expect(await client.videos.retrieve(id)).toMatchObject({ status: 'failed', error: { code: 'moderation_blocked' } });
    expect((await client.videos.retrieve(id)).status).toBe('failed');
    await expect(client.videos.downloadContent(id)).rejects.toMatchObject({ status: 404 });
  });

  it('only accepts the faults a route can play (checked by tsc)', () => {
    // @ts-expect-error videoFails is a videos.retrieve fault
    fake.failNext('images', { videoFails: true });
    // @ts-expect-error cutAfterChunks is a chat fault
    fake.failNext('videos.content', { cutAfterChunks: 1 });
  });
});
