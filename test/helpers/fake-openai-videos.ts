// Sora-style video jobs for the fake OpenAI server. Knows nothing of HTTP: the server
// maps its results onto responses. A job advances one progress step per retrieve.
import { randomUUID } from 'node:crypto';
import type { Video, VideoSeconds, VideoSize } from 'openai/resources/videos';
import type { MultipartFields } from './fake-openai-http.ts';
import { animatedGif, colourOf, solidPng } from './fake-openai-media.ts';

/** Makes the retrieved job fail (and stay failed) with this error. */
export interface VideoFailFault {
  videoFails: true;
  /** @default 'video_generation_failed' */
  code?: string;
  /** @default 'The fake video generation failed.' */
  message?: string;
}

export type VideoResult<T> = { ok: true; value: T } | { ok: false; status: 400 | 404; message: string; param?: string };

/** What the content endpoint serves: bytes and their real content type. */
export interface VideoContent {
  contentType: string;
  bytes: Buffer;
}

interface Job {
  video: Video;
  step: number;
}

const SECONDS: readonly string[] = ['4', '8', '12'] satisfies VideoSeconds[];
const SIZES: readonly string[] = ['720x1280', '1280x720', '1024x1792', '1792x1024'] satisfies VideoSize[];

/**
 * @param progress the `progress` shown at create (step 0, status `queued`) and after each
 * retrieve; reaching the last step means `completed`.
 */
export function createVideoJobs(progress: readonly number[]) {
  if (progress.length === 0) throw new RangeError('videoProgress needs at least one step');
  const jobs = new Map<string, Job>();
  const last = progress.length - 1;

  const find = (id: string): VideoResult<Job> => {
    const job = jobs.get(id);
    return job ? { ok: true, value: job } : { ok: false, status: 404, message: `Video with id '${id}' not found.`, param: 'video_id' };
  };

  return {
    create(form: MultipartFields): VideoResult<Video> {
      const text = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : undefined);
      const prompt = text('prompt');
      if (!prompt) return { ok: false, status: 400, message: "Missing required parameter: 'prompt'.", param: 'prompt' };
      const seconds = text('seconds') ?? '4';
      if (!SECONDS.includes(seconds)) return { ok: false, status: 400, message: `Invalid 'seconds': ${seconds}.`, param: 'seconds' };
      const size = text('size') ?? '720x1280';
      if (!SIZES.includes(size)) return { ok: false, status: 400, message: `Invalid 'size': ${size}.`, param: 'size' };
      const video: Video = {
        id: `video_${randomUUID().replaceAll('-', '')}`,
        object: 'video',
        model: text('model') ?? 'sora-2',
        status: 'queued',
        progress: progress[0]!,
        created_at: Math.floor(Date.now() / 1000),
        completed_at: null,
        expires_at: null,
        error: null,
        prompt,
        remixed_from_video_id: null,
        seconds,
        size: size as VideoSize,
      };
      jobs.set(video.id, { video, step: 0 });
      return { ok: true, value: { ...video } };
    },

    retrieve(id: string, fault?: VideoFailFault): VideoResult<Video> {
      const found = find(id);
      if (!found.ok) return found;
      const job = found.value;
      const { video } = job;
      if (video.status === 'completed' || video.status === 'failed') return { ok: true, value: { ...video } };
      if (fault) {
        video.status = 'failed';
        video.error = { code: fault.code ?? 'video_generation_failed', message: fault.message ?? 'The fake video generation failed.' };
        return { ok: true, value: { ...video } };
      }
      job.step = Math.min(job.step + 1, last);
      video.progress = progress[job.step]!;
      video.status = job.step === last ? 'completed' : 'in_progress';
      if (video.status === 'completed') {
        video.completed_at = Math.floor(Date.now() / 1000);
        video.expires_at = video.completed_at + 24 * 60 * 60;
      }
      return { ok: true, value: { ...video } };
    },

    /**
     * The video is a small looping GIF (three frames in colours from the prompt), served
     * as `image/gif`: a real MP4 needs an encoder the fake does not have, and claiming
     * `video/mp4` for GIF bytes would lie. `thumbnail` and `spritesheet` are PNGs.
     */
    content(id: string, variant = 'video'): VideoResult<VideoContent> {
      const found = find(id);
      if (!found.ok) return found;
      const { video } = found.value;
      if (video.status !== 'completed') {
        // The fake's choice of status; not a claim about what OpenAI answers.
        return { ok: false, status: 404, message: `Video '${id}' is ${video.status}; its content is not available.` };
      }
      const prompt = video.prompt ?? '';
      if (variant === 'video') {
        return { ok: true, value: { contentType: 'image/gif', bytes: animatedGif(8, 8, [0, 1, 2].map((i) => colourOf(`${prompt}#frame${i}`))) } };
      }
      if (variant === 'thumbnail' || variant === 'spritesheet') {
        return { ok: true, value: { contentType: 'image/png', bytes: solidPng(8, 8, colourOf(prompt)) } };
      }
      return { ok: false, status: 400, message: `Invalid 'variant': ${variant}.`, param: 'variant' };
    },

    reset(): void {
      jobs.clear();
    },
  };
}

export type VideoJobs = ReturnType<typeof createVideoJobs>;
