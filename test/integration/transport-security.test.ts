// The transport's defences, through real HTTP and WebSocket: security headers, CORS off
// unless configured, body and message size caps, operations per socket, the
// connection_init wait, media URLs that no Host header can steer, media streamed with
// Range, the media of a cancelled task deleted, and production mode masking internals.
import { request as httpRequest } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalMediaStore, type MediaStore } from '../../server/media/media-store.ts';
import type { TaskMediaStore } from '../../server/media/task-media.ts';
import { createStageRegistry } from '../../server/stages/registry.ts';
import { CREATE_PROJECT, EXECUTE_STAGE, STAGE_PROGRESS, TASK } from '../helpers/queries.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { STAGE_NAMES } from '../../server/stages/names.ts';

const MiB = 1024 * 1024;
const IMAGES = `query($id: ID!) { task(id: $id) { status output { __typename ... on ImagesOutput { images { sceneIndex url } } } } }`;
const CANCEL = `mutation($id: ID!) { cancelTask(id: $id) { id status } }`;

/** A raw graphql-transport-ws socket, for what the graphql-ws client will not do. */
function rawSocket(url: string, opts: { headers?: Record<string, string> } = {}) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { headers: opts.headers });
  const messages: any[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  ws.on('error', () => {}); // a refused frame may reset the connection; `closed` says how it ended
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, closed, opened };
}

/** One GraphQL request over node:http, with headers fetch will not send (Host). */
function rawPost(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function runStage(t: TestApp, token: string, projectId: string, stage: string): Promise<string> {
  const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage } }, token);
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  const id = r.data.executeStage.id as string;
  await waitFor(async () => (await t.gql(TASK, { id }, token)).data.task.status === 'COMPLETED', { what: `${stage} to complete` });
  return id;
}

/** A local media store that remembers every key it wrote, in order. */
function recordingStore(dir: string): { store: MediaStore; written: string[] } {
  const store = createLocalMediaStore({ dir });
  const written: string[] = [];
  return {
    written,
    store: {
      ...store,
      async put(bytes, ext) {
        const stored = await store.put(bytes, ext);
        written.push(stored.key);
        return stored;
      },
    },
  };
}

describe('transport security', () => {
  let t: TestApp;
  let mediaDir: string;
  let written: string[];
  let token: string;
  let projectId: string;

  beforeAll(async () => {
    mediaDir = mkdtempSync(join(tmpdir(), 'sp-media-'));
    const recorder = recordingStore(mediaDir);
    written = recorder.written;
    t = await startTestApp({ env: { WS_CONNECTION_INIT_TIMEOUT_MS: '400', OFFLINE_STEP_DELAY_MS: '400' }, overrides: { media: recorder.store } });
    ({ token } = await t.signUp());
    projectId = (await t.gql(CREATE_PROJECT, { i: { name: 'Lighthouse', originalTopic: 'a lighthouse keeper and a lost letter' } }, token)).data.createProject.id;
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  const expectBaseHeaders = (res: Response) => {
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  };

  describe('security headers', () => {
    it('gives the client a strict Content-Security-Policy', async () => {
      const res = await fetch(`${t.url}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expectBaseHeaders(res);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("style-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      // The app's page under its other name has the same policy.
      expect((await fetch(`${t.url}/index.html`)).headers.get('content-security-policy')).toBe(csp);
    });

    it("gives GraphiQL its own policy (its assets are inlined), never framed", async () => {
      const res = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Story Pipeline GraphiQL');
      expectBaseHeaders(res);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self' 'unsafe-inline'");
      expect(csp).toContain("frame-ancestors 'none'");
    });

    it('locks down API answers, health checks and media', async () => {
      const api = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ stages { name } }' }) });
      expectBaseHeaders(api);
      expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expectBaseHeaders(await fetch(`${t.url}/ready`));
      const { path } = await t.app.services.media.put(Buffer.from('not really a png'), 'png');
      const media = await fetch(`${t.url}${path}`);
      expect(media.status).toBe(200);
      expectBaseHeaders(media);
      expect(media.headers.get('content-type')).toBe('image/png');
    });
  });

  describe('CORS', () => {
    it('is off by default: no CORS headers for any origin, preflight included', async () => {
      const post = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
        body: JSON.stringify({ query: '{ stages { name } }' }),
      });
      expect(post.status).toBe(200);
      expect(post.headers.get('access-control-allow-origin')).toBeNull();
      expect(post.headers.get('access-control-allow-credentials')).toBeNull();
      const preflight = await fetch(`${t.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
    });

    it('allows exactly the configured origins (CORS_ORIGINS)', async () => {
      const c = await startTestApp({ env: { CORS_ORIGINS: 'https://app.example, https://admin.example:8443' } });
      try {
        const preflight = await fetch(`${c.url}/graphql`, {
          method: 'OPTIONS',
          headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
        });
        expect(preflight.status).toBe(204);
        expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
        expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
        expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
        expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
        const post = await fetch(`${c.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: 'https://admin.example:8443' },
          body: JSON.stringify({ query: '{ stages { name } }' }),
        });
        expect(post.headers.get('access-control-allow-origin')).toBe('https://admin.example:8443');
        expect(post.headers.get('vary')).toContain('Origin');
        for (const origin of ['https://evil.example', 'null']) {
          const other = await fetch(`${c.url}/graphql`, {
            method: 'OPTIONS',
            headers: { origin, 'access-control-request-method': 'POST' },
          });
          expect(other.headers.get('access-control-allow-origin')).toBeNull();
        }
      } finally {
        await c.stop();
      }
    });
  });

  describe('size limits', () => {
    it('refuses a request body over 1 MiB with 413, and stays healthy', async () => {
      const big = JSON.stringify({ query: '{ stages { name } }', variables: { pad: 'x'.repeat(MiB) } }).slice(0, MiB + 1);
      expect(Buffer.byteLength(big)).toBe(MiB + 1);
      const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      expect(res.status).toBe(413);
      expect((await res.json()).errors[0].message).toMatch(/larger than 1 MiB/);
      expect((await fetch(`${t.url}/ready`)).status).toBe(200);
    });

    it('refuses a chunked body (no Content-Length) once it passes 1 MiB', async () => {
      const chunk = new Uint8Array(256 * 1024).fill(0x20);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 8) return controller.close();
          sent++;
          controller.enqueue(chunk);
        },
      });
      const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
      expect(res.status).toBe(413);
      // A body just under the cap is read and answered as usual.
      const ok = await t.gql(`{ stages { name } }`, { pad: 'x'.repeat(MiB - 200) });
      expect(ok.data.stages).toHaveLength(STAGE_NAMES.length);
    });

    it('closes a WebSocket that sends a message over 1 MiB with 1009; new sockets work', async () => {
      const s = rawSocket(t.url);
      await s.opened;
      s.ws.send(JSON.stringify({ type: 'connection_init' }));
      await waitFor(() => s.messages.some((m) => m.type === 'connection_ack'), { what: 'ack' });
      s.ws.send('x'.repeat(MiB + 1));
      expect((await s.closed).code).toBe(1009);
      const client = t.ws();
      const result = await new Promise<any>((resolve, reject) => {
        client.subscribe({ query: '{ stages { name } }' }, { next: resolve, error: reject, complete: () => {} });
      });
      expect(result.data.stages).toHaveLength(STAGE_NAMES.length);
      expect((await fetch(`${t.url}/ready`)).status).toBe(200);
    });
  });

  describe('WebSocket limits', () => {
    it('refuses the 21st operation on one socket with RATE_LIMITED; the socket stays open', async () => {
      const client = t.ws(token);
      const subs = Array.from({ length: 20 }, () => subscribe(client, STAGE_PROGRESS, { projectId, stage: 'CAMERA_MOVEMENT' }));
      const refused = await new Promise<any>((resolve) => {
        client.subscribe({ query: STAGE_PROGRESS, variables: { projectId, stage: 'CAMERA_MOVEMENT' } }, { next: () => {}, error: resolve, complete: () => resolve(null) });
      });
      expect(refused?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
      expect(refused[0].extensions.retryAfterMs).toBeGreaterThan(0);
      // The socket is still there: once one ends, another operation runs on it.
      subs[0].stop();
      const result = await new Promise<any>((resolve, reject) => {
        client.subscribe({ query: '{ stages { name } }' }, { next: resolve, error: reject, complete: () => {} });
      });
      expect(result.data.stages).toHaveLength(STAGE_NAMES.length);
      for (const s of subs) s.stop();
    });

    it('closes a socket that never sends connection_init (4408) after the configured wait', async () => {
      const started = Date.now();
      const s = rawSocket(t.url);
      await s.opened;
      const closed = await s.closed;
      expect(closed.code).toBe(4408);
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
      expect(Date.now() - started).toBeLessThan(3000);
    });
  });

  describe('media', () => {
    let imageUrls: string[];
    beforeAll(async () => {
      await runStage(t, token, projectId, 'REWRITE');
      await runStage(t, token, projectId, 'STORYBOARD');
      const taskId = await runStage(t, token, projectId, 'IMAGE_GENERATION');
      imageUrls = (await t.gql(IMAGES, { id: taskId }, token)).data.task.output.images.map((i: any) => i.url);
    });

    it('builds media URLs from the configured origin, never from a hostile Host header', async () => {
      const query = `{ projects { stages { output { ... on ImagesOutput { images { url } } } } } }`;
      const res = await rawPost(t.url, { query }, { host: 'evil.example', authorization: `Bearer ${token}` });
      expect(res.status).toBe(200);
      expect(res.text).toContain('/media/');
      expect(res.text).not.toContain('evil.example');
      expect(imageUrls[0].startsWith(`${t.url}/media/`)).toBe(true);

      // The same over WebSocket, whose upgrade request carries the Host header too.
      class HostileWebSocket extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers: { host: 'evil.example' } });
        }
      }
      const client: Client = createClient({
        url: `${t.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: HostileWebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
        lazy: true,
      });
      try {
        const result = await new Promise<any>((resolve, reject) => client.subscribe({ query }, { next: resolve, error: reject, complete: () => {} }));
        const text = JSON.stringify(result);
        expect(text).toContain('/media/');
        expect(text).not.toContain('evil.example');
      } finally {
        await client.dispose();
      }
    });

    it('serves media whole with Accept-Ranges, and byte ranges with 206', async () => {
      const whole = await fetch(imageUrls[0]);
      const bytes = Buffer.from(await whole.arrayBuffer());
      const size = bytes.length;
      expect(whole.status).toBe(200);
      expect(whole.headers.get('accept-ranges')).toBe('bytes');
      expect(Number(whole.headers.get('content-length'))).toBe(size);
      expect(whole.headers.get('cache-control')).toContain('immutable');
      expect(size).toBeGreaterThan(100);

      const first = await fetch(imageUrls[0], { headers: { range: 'bytes=0-9' } });
      expect(first.status).toBe(206);
      expect(first.headers.get('content-range')).toBe(`bytes 0-9/${size}`);
      expect(first.headers.get('content-length')).toBe('10');
      expect(Buffer.from(await first.arrayBuffer())).toEqual(bytes.subarray(0, 10));

      const open = await fetch(imageUrls[0], { headers: { range: 'bytes=50-' } });
      expect(open.status).toBe(206);
      expect(open.headers.get('content-range')).toBe(`bytes 50-${size - 1}/${size}`);
      expect(Buffer.from(await open.arrayBuffer())).toEqual(bytes.subarray(50));

      const suffix = await fetch(imageUrls[0], { headers: { range: 'bytes=-16' } });
      expect(suffix.status).toBe(206);
      expect(suffix.headers.get('content-range')).toBe(`bytes ${size - 16}-${size - 1}/${size}`);
      expect(Buffer.from(await suffix.arrayBuffer())).toEqual(bytes.subarray(size - 16));

      const past = await fetch(imageUrls[0], { headers: { range: 'bytes=5-2000000000' } });
      expect(past.status).toBe(206);
      expect(past.headers.get('content-range')).toBe(`bytes 5-${size - 1}/${size}`);
      await past.arrayBuffer();
    });

    it('answers 416 for a range past the end, and keeps ETag, If-None-Match and HEAD', async () => {
      const whole = await fetch(imageUrls[1], { method: 'HEAD' });
      const size = Number(whole.headers.get('content-length'));
      expect(whole.status).toBe(200);
      expect(size).toBeGreaterThan(100);
      expect(await whole.text()).toBe('');
      expect(whole.headers.get('content-type')).toBe('image/png');

      const unsatisfiable = await fetch(imageUrls[1], { headers: { range: `bytes=${size}-` } });
      expect(unsatisfiable.status).toBe(416);
      expect(unsatisfiable.headers.get('content-range')).toBe(`bytes */${size}`);
      await unsatisfiable.arrayBuffer();

      const head = await fetch(imageUrls[1], { method: 'HEAD', headers: { range: 'bytes=-10' } });
      expect(head.status).toBe(206);
      expect(head.headers.get('content-length')).toBe('10');

      const etag = whole.headers.get('etag')!;
      const cached = await fetch(imageUrls[1], { headers: { 'if-none-match': etag } });
      expect(cached.status).toBe(304);
      // If-Range with another validator: the whole file.
      const stale = await fetch(imageUrls[1], { headers: { range: 'bytes=0-9', 'if-range': '"other"' } });
      expect(stale.status).toBe(200);
      await stale.arrayBuffer();
      expect((await fetch(imageUrls[1].replace(/\/media\/.*$/, `/media/${'A'.repeat(22)}.png`))).status).toBe(404);
    });

    it('records the files a task stores and deletes them with deleteOfTask, keeping what its output points at', async () => {
      // An API without a worker: its task stays queued, so it is still open while we write.
      const recorder = recordingStore(mediaDir);
      const q = await startTestApp({ role: 'api', overrides: { media: recorder.store } });
      try {
        const user = await q.signUp();
        const project = (await q.gql(CREATE_PROJECT, { i: { name: 'Queued', originalTopic: 'a queue' } }, user.token)).data.createProject.id;
        const taskId = (await q.gql(EXECUTE_STAGE, { i: { projectId: project, stage: 'REWRITE' } }, user.token)).data.executeStage.id;
        const media = q.app.services.media as TaskMediaStore;
        const a = await media.forTask(taskId).put(Buffer.from('a'), 'png');
        const b = await media.forTask(taskId).put(Buffer.from('b'), 'gif');
        expect(await media.deleteOfTask(taskId, { keep: [`${q.url}${b.path}`] })).toBe(1);
        expect((await fetch(`${q.url}${a.path}`)).status).toBe(404);
        expect((await fetch(`${q.url}${b.path}`)).status).toBe(200);
        expect(await media.deleteOfTask(taskId)).toBe(1);
        expect((await fetch(`${q.url}${b.path}`)).status).toBe(404);
        expect(await media.deleteOfTask(taskId)).toBe(0);

        // A put that ends after its task did removes its file again: the cleanup may have run.
        expect((await q.gql(CANCEL, { id: taskId }, user.token)).data.cancelTask.status).toBe('CANCELLED');
        const before = recorder.written.length;
        await expect(media.forTask(taskId).put(Buffer.from('late'), 'png')).rejects.toThrow(/aborted/);
        const late = recorder.written[before];
        expect(late).toBeDefined();
        expect(existsSync(join(mediaDir, late.slice(0, 2), late))).toBe(false);
      } finally {
        await q.stop();
      }
    });

    it('deletes the images a cancelled IMAGE_GENERATION task had already written', async () => {
      const before = written.length;
      // FRESH: an earlier run of the stage would otherwise be reused, and nothing written.
      const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'IMAGE_GENERATION', cache: 'FRESH' } }, token);
      const taskId = r.data.executeStage.id;
      await waitFor(() => written.length > before, { what: 'a first image' });
      expect((await t.gql(CANCEL, { id: taskId }, token)).data.cancelTask.status).toBe('CANCELLED');
      // Puts in flight when it was cancelled end too; then nothing of the task remains.
      await new Promise((res) => setTimeout(res, 1000));
      const keys = written.slice(before);
      expect(keys.length).toBeGreaterThan(0);
      await waitFor(
        async () => {
          for (const key of keys) {
            if ((await fetch(`${t.url}/media/${key}`)).status !== 404) return false;
            if (existsSync(join(mediaDir, key.slice(0, 2), key))) return false;
          }
          return true;
        },
        { what: 'the cancelled task’s images to be deleted', timeoutMs: 5000 },
      );
    });
  });
});

describe('production mode (NODE_ENV=production)', () => {
  let p: TestApp;
  const SECRET = 'SECRET internal detail: /srv/keys/db.pem';

  beforeAll(async () => {
    // A stage whose label throws: the public `stages` query then meets an unexpected error.
    const [first, ...rest] = createStageRegistry().values();
    const broken = Object.create(first, { label: { get: () => { throw new Error(SECRET); } } });
    p = await startTestApp({ env: { NODE_ENV: 'production' }, overrides: { registry: createStageRegistry([broken, ...rest]) } });
  });
  afterAll(() => p?.stop());

  it('masks an internal error over HTTP and WebSocket, with no stack trace', async () => {
    const res = await fetch(`${p.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ stages { name label } }' }) });
    const text = await res.text();
    expect(text).not.toContain('SECRET');
    expect(text).not.toMatch(/stack|originalError|\.ts:\d+/);
    expect(JSON.parse(text).errors[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });

    const client = p.ws();
    const result = await new Promise<any>((resolve, reject) => client.subscribe({ query: '{ stages { name label } }' }, { next: resolve, error: reject, complete: () => {} }));
    expect(JSON.stringify(result)).not.toContain('SECRET');
    expect(result.errors[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('still serves GraphiQL', async () => {
    const res = await fetch(`${p.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Story Pipeline GraphiQL');
  });

  it('closes a WebSocket on an internal error with a generic reason', async () => {
    const { token } = await p.signUp();
    await p.app.orm.close(true); // the database goes away under the app: connection_init cannot authenticate
    const s = rawSocket(p.url);
    await s.opened;
    s.ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    const closed = await s.closed;
    expect(closed.code).toBe(4500);
    expect(closed.reason).toBe('Internal server error');
  });
});
