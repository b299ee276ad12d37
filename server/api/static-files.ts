// Serves the built client: `/` is its page, and its real files by path. The client routes
// with the URL's hash (`/#/projects/…`), so no other path is a page of it: anything else is
// 404, never index.html (an unknown path must not look like success).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.wav': 'audio/wav',
  '.vtt': 'text/vtt; charset=utf-8',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const PLACEHOLDER = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Story Pipeline</title>
<body>
<h1>Story Pipeline</h1><p>The web client has not been built (<code>npm run build:client</code>).
The API is up: open <a href="/graphql">GraphiQL</a>.</p></body></html>`;

/** `documentCsp` is the Content-Security-Policy of the client's HTML pages. */
export function createStaticFiles(root: string, opts: { documentCsp: () => string }) {
  const resolveFile = async (urlPath: string): Promise<string | null> => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null; // malformed escapes: no such file
    }
    const relative = normalize(decoded).replace(/^([/\\])+/, '');
    const full = join(root, relative);
    if (full !== root && !full.startsWith(root + sep)) return null; // no way out of the root
    try {
      const s = await stat(full);
      if (s.isFile()) return full;
    } catch {
      /* fall through */
    }
    return null;
  };

  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    const page = pathname === '/' || pathname === '/index.html';
    const file = await resolveFile(page ? 'index.html' : pathname);
    if (!file && !page) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (!file) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': opts.documentCsp() }).end(PLACEHOLDER);
      return;
    }
    const immutable = file.includes(`${sep}assets${sep}`); // Vite's hashed file names
    const size = (await stat(file)).size;
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, {
      'content-type': type,
      'content-length': size,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...(type.startsWith('text/html') ? { 'content-security-policy': opts.documentCsp() } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  };
}
