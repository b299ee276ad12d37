import type { CameraShot, NarrationLine, Scene, SceneImage, StageOutput, TaskErrorInfo, VideoClip } from '../stages/outputs.ts';
import { builder } from './builder.ts';

/** Media is stored by path; clients get a URL they can fetch as it is. */
const absolute = (baseUrl: string, path: string) => (path.startsWith('/') ? `${baseUrl}${path}` : path);

type Of<K extends StageOutput['kind']> = Extract<StageOutput, { kind: K }>;

const SceneRef = builder.objectRef<Scene>('Scene').implement({
  fields: (t) => ({
    index: t.exposeInt('index'),
    narration: t.exposeString('narration'),
    visualPrompt: t.exposeString('visualPrompt'),
    durationSeconds: t.exposeFloat('durationSeconds'),
  }),
});
const SceneImageRef = builder.objectRef<SceneImage>('SceneImage').implement({
  fields: (t) => ({
    sceneIndex: t.exposeInt('sceneIndex'),
    url: t.string({ description: 'Fetchable with a plain HTTP GET; the response is an image.', resolve: (i, _args, ctx) => absolute(ctx.baseUrl, i.url) }),
    prompt: t.exposeString('prompt'),
  }),
});
const CameraShotRef = builder.objectRef<CameraShot>('CameraShot').implement({
  fields: (t) => ({
    sceneIndex: t.exposeInt('sceneIndex'),
    movement: t.exposeString('movement'),
    description: t.exposeString('description'),
  }),
});
const VideoClipRef = builder.objectRef<VideoClip>('VideoClip').implement({
  fields: (t) => ({
    sceneIndex: t.exposeInt('sceneIndex'),
    url: t.string({ description: 'Fetchable with a plain HTTP GET; the response is a video or animation.', resolve: (c, _args, ctx) => absolute(ctx.baseUrl, c.url) }),
    durationSeconds: t.exposeFloat('durationSeconds'),
  }),
});

const RewriteOutputRef = builder.objectRef<Of<'rewrite'>>('RewriteOutput').implement({
  isTypeOf: (o) => (o as StageOutput).kind === 'rewrite',
  fields: (t) => ({ text: t.exposeString('text') }),
});
const StoryboardOutputRef = builder.objectRef<Of<'storyboard'>>('StoryboardOutput').implement({
  isTypeOf: (o) => (o as StageOutput).kind === 'storyboard',
  fields: (t) => ({ scenes: t.field({ type: [SceneRef], resolve: (o) => o.scenes }) }),
});
const ImagesOutputRef = builder.objectRef<Of<'images'>>('ImagesOutput').implement({
  isTypeOf: (o) => (o as StageOutput).kind === 'images',
  fields: (t) => ({ images: t.field({ type: [SceneImageRef], resolve: (o) => o.images }) }),
});
const CameraOutputRef = builder.objectRef<Of<'camera'>>('CameraOutput').implement({
  isTypeOf: (o) => (o as StageOutput).kind === 'camera',
  fields: (t) => ({ shots: t.field({ type: [CameraShotRef], resolve: (o) => o.shots }) }),
});
const VideoOutputRef = builder.objectRef<Of<'video'>>('VideoOutput').implement({
  isTypeOf: (o) => (o as StageOutput).kind === 'video',
  fields: (t) => ({ clips: t.field({ type: [VideoClipRef], resolve: (o) => o.clips }) }),
});

const NarrationLineRef = builder.objectRef<NarrationLine>('NarrationLine').implement({
  fields: (t) => ({
    sceneIndex: t.exposeInt('sceneIndex'),
    text: t.exposeString('text'),
    startSeconds: t.exposeFloat('startSeconds', { description: 'Where the line starts in the film, and how long it is read.' }),
    durationSeconds: t.exposeFloat('durationSeconds'),
    audioUrl: t.string({
      nullable: true,
      description: "The line's audio; fetchable with a plain HTTP GET (null when the provider makes no voice).",
      resolve: (l, _args, ctx) => (l.audioUrl ? absolute(ctx.baseUrl, l.audioUrl) : null),
    }),
  }),
});
const NarrationOutputRef = builder.objectRef<Of<'narration'>>('NarrationOutput').implement({
  isTypeOf: (o) => (o as StageOutput).kind === 'narration',
  fields: (t) => ({
    voice: t.string({ nullable: true, description: "The voice that read it (provider's name for it).", resolve: (o) => o.voice }),
    lines: t.field({ type: [NarrationLineRef], resolve: (o) => o.lines }),
    audioUrl: t.string({
      nullable: true,
      description: 'All lines as one audio track (null when there is no voice).',
      resolve: (o, _args, ctx) => (o.audioUrl ? absolute(ctx.baseUrl, o.audioUrl) : null),
    }),
  }),
});

const FilmOutputRef = builder.objectRef<Of<'film'>>('FilmOutput').implement({
  isTypeOf: (o) => (o as StageOutput).kind === 'film',
  fields: (t) => ({
    url: t.string({ description: 'An H.264/AAC MP4, fetchable with a plain HTTP GET (Range requests supported).', resolve: (o, _args, ctx) => absolute(ctx.baseUrl, o.url) }),
    durationSeconds: t.exposeFloat('durationSeconds'),
    width: t.exposeInt('width'),
    height: t.exposeInt('height'),
    subtitlesUrl: t.string({ description: 'WebVTT subtitles of the narration.', resolve: (o, _args, ctx) => absolute(ctx.baseUrl, o.subtitlesUrl) }),
    posterUrl: t.string({ description: 'A still frame for players and lists.', resolve: (o, _args, ctx) => absolute(ctx.baseUrl, o.posterUrl) }),
  }),
});

export const StageOutputUnion = builder.unionType('StageOutput', {
  types: [RewriteOutputRef, StoryboardOutputRef, ImagesOutputRef, CameraOutputRef, VideoOutputRef, NarrationOutputRef, FilmOutputRef],
  // Named from the output's kind ('images' → ImagesOutput) rather than found by trying each
  // isTypeOf: the compiled executor (graphql-jit) gives resolvers no schema to search.
  resolveType: (o) => `${o.kind[0].toUpperCase()}${o.kind.slice(1)}Output`,
});

export const TaskErrorRef = builder.objectRef<TaskErrorInfo>('TaskError').implement({
  fields: (t) => ({
    code: t.exposeString('code'),
    message: t.exposeString('message'),
    retryable: t.exposeBoolean('retryable'),
  }),
});
