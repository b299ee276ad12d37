// GET/HEAD /media/<key>: images and clips streamed from the store, never read whole into
// memory. Range requests (one range) for players that seek; long caching, since a key never
// changes content, with its key as the ETag. Unknown keys are a plain 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { MEDIA_PREFIX, type MediaStore } from '../media/media-store.ts';
import { etagMatches, parseRange } from './http-range.ts';
import { CONTENT_TYPES } from './static-files.ts';

export function createMediaRoute(media: MediaStore) {
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const key = media.keyOf(pathname);
    const file = key && pathname === `${MEDIA_PREFIX}${key}` ? await media.open(key) : null;
    if (!key || !file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    const etag = `"${key}"`;
    const headers = {
      'content-type': CONTENT_TYPES[extname(key)] ?? 'application/octet-stream',
      'cache-control': 'public, max-age=31536000, immutable',
      'accept-ranges': 'bytes',
      etag,
      'x-content-type-options': 'nosniff',
    };
    if (etagMatches(req.headers['if-none-match'], etag)) {
      await file.close();
      res.writeHead(304, { etag, 'cache-control': headers['cache-control'] }).end();
      return;
    }
    // If-Range with another validator: the client's partial copy is stale, send it all.
    const ifRange = req.headers['if-range'];
    const range = ifRange && ifRange !== etag ? 'whole' : parseRange(req.headers.range, file.size);
    if (range === 'unsatisfiable') {
      await file.close();
      res.writeHead(416, { ...headers, 'content-range': `bytes */${file.size}`, 'content-length': 0 }).end();
      return;
    }
    const part = range === 'whole' ? undefined : range;
    if (part) {
      res.writeHead(206, { ...headers, 'content-range': `bytes ${part.start}-${part.end}/${file.size}`, 'content-length': part.end - part.start + 1 });
    } else {
      res.writeHead(200, { ...headers, 'content-length': file.size });
    }
    if (req.method === 'HEAD' || file.size === 0) {
      await file.close();
      res.end();
      return;
    }
    // pipeline destroys the file stream (closing the file) if the client goes away.
    await pipeline(file.stream(part), res).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
    });
  };
}
