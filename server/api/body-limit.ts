// A cap on request bodies: a GraphQL request is a few KB, so anything above the cap is
// refused with 413 as soon as its Content-Length (or the bytes received so far) says so,
// before the body is held whole in memory.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The largest request body accepted (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** How much of a refused body is read and dropped (to answer on a kept-alive connection) before the connection is cut. */
const DISCARD_LIMIT = 8 * MAX_BODY_BYTES;

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/** Reads the body if it is at most `limit` bytes; stops reading as soon as it is known to be larger. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false, reason: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = (result: BodyResult) => {
      req.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) done({ ok: false, reason: 'too-large' });
      else chunks.push(chunk);
    };
    const onEnd = () => done({ ok: true, body: Buffer.concat(chunks, total) });
    const onAbort = () => done({ ok: false, reason: 'aborted' });
    req.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onAbort);
  });
}

/** Answers 413 and drops the rest of the body (up to a limit, then the connection goes). */
export function refuseTooLarge(req: IncomingMessage, res: ServerResponse, limit = MAX_BODY_BYTES): void {
  const message = `The request body is larger than ${limit / 1024 / 1024} MiB.`;
  res
    .writeHead(413, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] }));
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_LIMIT) req.socket.destroy();
  });
  req.on('error', () => {});
  req.resume();
}
