// The stage and status vocabularies of the public contract, as the one TypeScript source.
export const STAGE_NAMES = ['REWRITE', 'STORYBOARD', 'IMAGE_GENERATION', 'CAMERA_MOVEMENT', 'VIDEO_GENERATION', 'NARRATION', 'FILM'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export const TASK_STATUSES = ['QUEUED', 'RUNNING', 'RETRYING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const ACTIVE_STATUSES: readonly TaskStatus[] = ['QUEUED', 'RUNNING', 'RETRYING'];
export const isActive = (s: string): boolean => (ACTIVE_STATUSES as readonly string[]).includes(s);
export const isFinished = (s: string): boolean => s === 'COMPLETED' || s === 'FAILED' || s === 'CANCELLED';
