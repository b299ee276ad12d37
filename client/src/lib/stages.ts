/**
 * The pipeline's shape, fixed by the contract: the stages, in order, and what each
 * needs. The server's `stages` query carries the same graph plus prices; the client
 * keeps a copy so it can draw the graph before that answer arrives.
 */
export const STAGE_NAMES = ['REWRITE', 'STORYBOARD', 'IMAGE_GENERATION', 'CAMERA_MOVEMENT', 'VIDEO_GENERATION', 'NARRATION', 'FILM'] as const;

export type StageName = (typeof STAGE_NAMES)[number];

export const STAGE_DEPENDENCIES: Record<StageName, readonly StageName[]> = {
  REWRITE: [],
  STORYBOARD: ['REWRITE'],
  IMAGE_GENERATION: ['STORYBOARD'],
  CAMERA_MOVEMENT: ['STORYBOARD'],
  VIDEO_GENERATION: ['IMAGE_GENERATION', 'CAMERA_MOVEMENT'],
  NARRATION: ['STORYBOARD'],
  FILM: ['VIDEO_GENERATION', 'NARRATION'],
};

/** Stages whose model writes text that streams token by token. */
export const TEXT_STAGES: ReadonlySet<StageName> = new Set(['REWRITE', 'STORYBOARD', 'CAMERA_MOVEMENT']);
