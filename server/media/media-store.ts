// Where images and clips live. A local directory by default; the interface is what an
// S3-compatible store would implement. Keys are 128 random bits: URLs cannot be guessed.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export interface StoredMedia {
  key: string;
  /** The path clients fetch, relative to the API's origin (e.g. /media/abc.png). */
  path: string;
}

/** An opened media file: its size, then its bytes as a stream (never read whole into memory). */
export interface MediaFile {
  size: number;
  /** Bytes `start` to `end` inclusive (all without a range). The file closes when the stream ends or is destroyed. */
  stream(range?: { start: number; end: number }): Readable;
  /** Releases the file when its bytes are not wanted (HEAD, 304, 416). */
  close(): Promise<void>;
}

export interface MediaStore {
  put(bytes: Buffer, ext: MediaExt): Promise<StoredMedia>;
  /** The whole file in memory (a stage reading an image); clients are served with `open`. */
  get(key: string): Promise<Buffer | null>;
  /** The file to stream, or null when there is none. Size and bytes come from the same open file. */
  open(key: string): Promise<MediaFile | null>;
  /** Removes a file (a deleted project's media); a missing one is no error. */
  delete(key: string): Promise<void>;
  /** The key of a media path or URL this store made, or null. */
  keyOf(pathOrUrl: string): string | null;
}

export const MEDIA_PREFIX = '/media/';
/** What the stages store: images, clips (a provider's GIF or WebM too), voice, the film's subtitles and poster. */
export const MEDIA_EXTS = ['png', 'gif', 'mp4', 'webm', 'wav', 'vtt', 'jpg'] as const;
export type MediaExt = (typeof MEDIA_EXTS)[number];
const KEY = new RegExp(`^[A-Za-z0-9_-]{22}\\.(${MEDIA_EXTS.join('|')})$`);

export function createLocalMediaStore(opts: { dir: string }): MediaStore {
  const file = (key: string) => join(opts.dir, key.slice(0, 2), key);
  let ready: Promise<unknown> | null = null;
  return {
    async put(bytes, ext) {
      const key = `${randomBytes(16).toString('base64url')}.${ext}`;
      ready ??= mkdir(opts.dir, { recursive: true });
      await ready;
      await mkdir(join(opts.dir, key.slice(0, 2)), { recursive: true });
      await writeFile(file(key), bytes);
      return { key, path: `${MEDIA_PREFIX}${key}` };
    },
    async get(key) {
      if (!KEY.test(key)) return null;
      // Only a missing file is "not found"; a failing disk is an error, not a 404.
      return readFile(file(key)).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
    },
    async open(key) {
      if (!KEY.test(key)) return null;
      let handle: FileHandle;
      try {
        handle = await open(file(key), 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      try {
        const { size } = await handle.stat();
        return {
          size,
          stream: (range) => handle.createReadStream({ start: range?.start, end: range?.end, autoClose: true }),
          close: () => handle.close(),
        };
      } catch (err) {
        await handle.close();
        throw err;
      }
    },
    async delete(key) {
      if (KEY.test(key)) await rm(file(key), { force: true });
    },
    keyOf(pathOrUrl) {
      const at = pathOrUrl.indexOf(MEDIA_PREFIX);
      if (at < 0) return null;
      const key = pathOrUrl.slice(at + MEDIA_PREFIX.length);
      return KEY.test(key) ? key : null;
    },
  };
}
