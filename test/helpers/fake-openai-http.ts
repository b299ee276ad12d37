// The wire-level pieces of the fake OpenAI server: bodies in (JSON, multipart), JSON and
// OpenAI-style errors out, and writes that can be split inside UTF-8 characters.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A file part of a multipart/form-data body. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  size: number;
  bytes: Buffer;
}

/** A multipart/form-data body: text fields as strings, file parts as {@link UploadedFile}. */
export type MultipartFields = Record<string, string | UploadedFile>;

/** The `error` object of an OpenAI error response. */
export interface OpenAIErrorBody {
  message: string;
  type: string;
  code: string | null;
  param: string | null;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/**
 * Parses multipart/form-data just enough for the fake: each part's name, its text, or
 * for a file part its filename, content type and bytes. Returns null when `contentType`
 * is not multipart or has no boundary.
 */
export function parseMultipart(body: Buffer, contentType: string): MultipartFields | null {
  const boundary = /^multipart\/form-data;.*\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) return null;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const fields: MultipartFields = {};
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString('latin1') === '--') break; // closing delimiter
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const part = body.subarray(start + 2, next - 2); // drop the CRLF after the delimiter and before the next
    const headerEnd = part.indexOf('\r\n\r\n');
    at = next;
    if (headerEnd === -1) continue;
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const content = part.subarray(headerEnd + 4);
    const name = /\bname="([^"]*)"/i.exec(headers)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(headers)?.[1];
    if (name !== undefined) {
      fields[name] =
        filename === undefined
          ? content.toString('utf8')
          : {
              filename,
              contentType: /^content-type:\s*(.+)$/im.exec(headers)?.[1]?.trim() ?? 'application/octet-stream',
              size: content.length,
              bytes: Buffer.from(content),
            };
    }
  }
  return fields;
}

/** The `type` and `code` OpenAI sends with each status, as far as the fake cares. */
export function defaultErrorFor(status: number): Pick<OpenAIErrorBody, 'type' | 'code'> {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 404) return { type: 'invalid_request_error', code: 'not_found' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length), ...headers });
  res.end(body);
}

export function sendError(res: ServerResponse, status: number, error: Partial<OpenAIErrorBody> & { message: string }, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { ...defaultErrorFor(status), param: null, ...error } }, headers);
}

/** Waits `ms`; resolves false at once (and clears the timer) if `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (finished: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(finished);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Writes and waits until the bytes are handed to the socket; false if the client has gone. */
export function writeFlushed(res: ServerResponse, bytes: Buffer, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted || res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => res.write(bytes, (err) => resolve(!err)));
}

/** Cuts `bytes` right after the first byte of every multi-byte UTF-8 character. */
export function splitInsideCharacters(bytes: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0xc0) {
      pieces.push(bytes.subarray(from, i + 1));
      from = i + 1;
    }
  }
  if (from < bytes.length) pieces.push(bytes.subarray(from));
  return pieces;
}

/**
 * Writes `bytes` as separate socket writes cut inside each multi-byte character, yielding
 * to the event loop between writes so the client reads them apart. False if the client left.
 */
export async function writeSplitUtf8(res: ServerResponse, bytes: Buffer, signal: AbortSignal): Promise<boolean> {
  for (const piece of splitInsideCharacters(bytes)) {
    if (!(await writeFlushed(res, piece, signal))) return false;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return true;
}
