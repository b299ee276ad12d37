// The client's files: `/` and real files answer; nothing else falls back to index.html.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticFiles } from '../../server/api/static-files.ts';

describe('static files', () => {
  let dir: string;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sp-static-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>client</title>');
    writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
    const files = createStaticFiles(dir, { documentCsp: () => "default-src 'self'" });
    server = createServer((req, res) => void files(req, res, new URL(req.url!, 'http://x').pathname));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves / and the client files', async () => {
    for (const path of ['/', '/index.html']) {
      const res = await fetch(url + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe("default-src 'self'");
      expect(await res.text()).toContain('<title>client</title>');
    }
    const asset = await fetch(`${url}/assets/app-1234.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('answers 404 for every other path (the client routes by hash), 405 for a write to a file', async () => {
    for (const path of ['/projects/1', '/metrics', '/admin/users', '/assets', '/assets/missing.js', '/%E0%A4%A', '/../etc/passwd']) {
      const res = await fetch(url + path);
      expect([path, res.status]).toEqual([path, 404]);
    }
    expect((await fetch(`${url}/nope`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${url}/index.html`, { method: 'POST' })).status).toBe(405);
  });
});
