// GET /media/<key>: images and clips, with their content type, length and long caching
// (a key never changes content). Unknown keys are a plain 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import type { MediaStore } from '../media/media-store.ts';
import { CONTENT_TYPES } from './static-files.ts';

export function createMediaRoute(media: MediaStore) {
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    const key = media.keyOf(pathname);
    const bytes = key ? await media.get(key) : null;
    if (!key || !bytes) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    const etag = `"${key}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(key)] ?? 'application/octet-stream',
      'content-length': bytes.length,
      'cache-control': 'public, max-age=31536000, immutable',
      etag,
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  };
}
