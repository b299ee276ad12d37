// The provider layer's network rules on their own: which addresses pass, the connect-time
// check of the guarded dispatcher (real loopback listener, real DNS for `localhost`), capped
// reads, capped retry-after, and masked error messages, against the fake OpenAI server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../server/config.ts';
import { addressProblem } from '../../server/providers/address-policy.ts';
import { readBounded } from '../../server/providers/bounded-body.ts';
import { AddressRefusedError, createGuardedDispatcher } from '../../server/providers/guarded-dispatcher.ts';
import { createOpenAIClient, retryAfterMs, toProviderError, type ProviderTransport } from '../../server/providers/openai-client.ts';
import { createOpenAIImageProvider, createOpenAIVideoProvider } from '../../server/providers/openai-media.ts';
import { ProviderError } from '../../server/providers/provider-error.ts';
import { baseUrlProblem, isAllowedKeyEnv } from '../../server/providers/provider-rules.ts';
import { createFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.ts';

const causes = (err: unknown) => {
  const out: unknown[] = [];
  for (let e = err; e; e = (e as { cause?: unknown }).cause) out.push(e);
  return out;
};

describe('provider options', () => {
  it('defaults to no loopback and bounded calls, and refuses a bad switch', () => {
    const c = parseConfig({}, []);
    expect(c).toMatchObject({ providerAllowLoopback: false, textMaxTokens: 4000, maxImageBytes: 20 << 20, maxVideoBytes: 200 << 20, maxRetryAfterMs: 300_000 });
    expect(parseConfig({ PROVIDER_ALLOW_LOOPBACK: '1' }, []).providerAllowLoopback).toBe(true);
    expect(() => parseConfig({ PROVIDER_ALLOW_LOOPBACK: 'yes' }, [])).toThrow(ConfigError);
    expect(() => parseConfig({ TEXT_MAX_TOKENS: '0' }, [])).toThrow(/TEXT_MAX_TOKENS/);
  });
});

describe('address policy', () => {
  const off = { allowLoopback: false };
  const on = { allowLoopback: true };
  it.each([
    '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.1', '100.64.0.1', '169.254.169.254', '0.0.0.0', '255.255.255.255',
    '224.0.0.1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '64:ff9b::a00:1', '2002:a00:1::1',
  ])('refuses %s, even with loopback allowed', (ip) => {
    expect(addressProblem(ip, 'https:', on)).not.toBeNull();
  });
  it.each(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])('refuses loopback %s unless allowed', (ip) => {
    expect(addressProblem(ip, 'https:', off)).toMatch(/loopback/);
    expect(addressProblem(ip, 'https:', on)).toBeNull();
    expect(addressProblem(ip, 'http:', on)).toBeNull();
  });
  it('passes public addresses over https only', () => {
    expect(addressProblem('8.8.8.8', 'https:', off)).toBeNull();
    expect(addressProblem('2606:4700::1111', 'https:', off)).toBeNull();
    expect(addressProblem('8.8.8.8', 'http:', on)).toMatch(/http/);
  });
  it('checks base URLs as typed', () => {
    expect(baseUrlProblem('https://api.openai.com/v1', off)).toBeNull();
    expect(baseUrlProblem('https://localhost/v1', off)).toBeNull(); // a name: checked at connect time
    expect(baseUrlProblem('http://localhost:1234/v1', on)).toBeNull();
    expect(baseUrlProblem('http://127.0.0.1:1234/v1', on)).toBeNull();
    expect(baseUrlProblem('http://api.openai.com/v1', on)).toBe('plain http');
    expect(baseUrlProblem('https://[::1]/v1', off)).toMatch(/loopback/);
    expect(baseUrlProblem('https://0x7f.1/v1', off)).toMatch(/loopback/); // the URL parser normalises it to 127.0.0.1
    expect(baseUrlProblem('file:///etc/passwd', on)).toBe('scheme file:');
  });
  it('allows key variables set aside for providers only', () => {
    expect(['OPENAI_API_KEY', 'PROVIDER_KEY_OPENROUTER', 'PROVIDER_KEY_A1_B'].every(isAllowedKeyEnv)).toBe(true);
    expect(['DATABASE_URL', 'PATH', 'PROVIDER_KEY_', 'provider_key_x', 'OPENAI_API_KEY_2', 'XPROVIDER_KEY_A', ''].some(isAllowedKeyEnv)).toBe(false);
  });
});

describe('guarded dispatcher', () => {
  let server: Server;
  let port: number;
  let requests = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests++;
      res.end('ok');
    });
    await new Promise<void>((ok) => server.listen(0, '::', () => ok())); // both 127.0.0.1 and ::1
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it.each(['localhost', '127.0.0.1', '[::1]'])('refuses %s before connecting when loopback is not allowed', async (host) => {
    const dispatcher = createGuardedDispatcher({ allowLoopback: false });
    const before = requests;
    const err = await fetch(`http://${host}:${port}/`, { dispatcher } as RequestInit).catch((e: unknown) => e);
    expect(causes(err).some((e) => e instanceof AddressRefusedError)).toBe(true);
    expect(requests).toBe(before);
    await dispatcher.close();
  });

  it.each(['localhost', '127.0.0.1', '[::1]'])('connects to %s when loopback is allowed', async (host) => {
    const dispatcher = createGuardedDispatcher({ allowLoopback: true });
    const res = await fetch(`http://${host}:${port}/`, { dispatcher } as RequestInit);
    expect(await res.text()).toBe('ok');
    await dispatcher.close();
  });
});

describe('capped reads and masked errors', () => {
  let fake: FakeOpenAI;
  let transport: ProviderTransport;
  beforeAll(async () => {
    fake = await createFakeOpenAI({ imagePixels: 64 });
    transport = { dispatcher: createGuardedDispatcher({ allowLoopback: true }), maxRetryAfterMs: 300_000 };
  });
  afterAll(async () => {
    await fake?.close();
    await (transport.dispatcher as { close(): Promise<void> }).close();
  });

  it('stops reading a body at the cap and cancels the rest', async () => {
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
      },
      cancel() {
        cancelled = true;
      },
    });
    const err = await readBounded(new Response(endless), 10 * 1024, 'clip').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PROVIDER_OUTPUT_TOO_LARGE', retryable: false });
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(20);
    const declared = new Response('x'.repeat(100), { headers: { 'content-length': '100' } });
    await expect(readBounded(declared, 99, 'image')).rejects.toMatchObject({ code: 'PROVIDER_OUTPUT_TOO_LARGE' });
    expect((await readBounded(new Response('abc'), 3, 'image')).toString()).toBe('abc');
  });

  it('caps retry-after', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': String(30 * 86400) }), 300_000)).toBe(300_000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '1500' }), 300_000)).toBe(1500);
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(Date.now() + 86400_000).toUTCString() }), 60_000)).toBe(60_000);
  });

  it('keeps the provider body out of the message and in the detail', async () => {
    fake.failNext('chat', { status: 400, message: 'sk-live-SECRET leaked' }, { status: 429, message: 'slow', retryAfterSeconds: 86400 });
    const client = createOpenAIClient({ apiKey: 'k', baseURL: `${fake.url}/v1`, model: 'm', transport: { ...transport, maxRetryAfterMs: 5000 } }, 5000);
    const ask = () => client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => toProviderError(e, { maxRetryAfterMs: 5000 }));
    const bad = (await ask()) as ProviderError;
    expect(bad).toMatchObject({ code: 'PROVIDER_BAD_REQUEST', message: 'The model provider refused the request.', retryable: false });
    expect(bad.detail).toContain('sk-live-SECRET leaked');
    const limited = (await ask()) as ProviderError;
    expect(limited).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryable: true, retryAfterMs: 5000 });
  });

  it('refuses an image or a clip over its cap', async () => {
    const signal = new AbortController().signal;
    const scene = { index: 0, narration: 'n', visualPrompt: 'v' };
    const opts = { apiKey: 'k', baseURL: `${fake.url}/v1`, model: 'gpt-image-1', transport };
    const image = await createOpenAIImageProvider({ ...opts, maxBytes: 1 << 20 }).generate({ scene, prompt: 'a lighthouse', size: '1024x1024', signal });
    expect(image.subarray(1, 4).toString()).toBe('PNG');
    const small = createOpenAIImageProvider({ ...opts, maxBytes: image.length - 1 });
    await expect(small.generate({ scene, prompt: 'a lighthouse', size: '1024x1024', signal })).rejects.toMatchObject({ code: 'PROVIDER_OUTPUT_TOO_LARGE', retryable: false });

    const clip = { scene, movement: 'static', prompt: 'waves', image, seconds: 4 as const, orientation: 'landscape' as const, signal, onProgress: () => {} };
    const video = { ...opts, model: 'sora-2', pollIntervalMs: 10 };
    const made = await createOpenAIVideoProvider({ ...video, maxBytes: 1 << 20 }).generate(clip);
    expect(made.bytes.length).toBeGreaterThan(0);
    await expect(createOpenAIVideoProvider({ ...video, maxBytes: made.bytes.length - 1 }).generate(clip)).rejects.toMatchObject({ code: 'PROVIDER_OUTPUT_TOO_LARGE' });
  });
});
