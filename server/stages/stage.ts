// What a stage is: one file per stage implements this, and registry.ts lists them.
import type { ProjectRow } from '../db/entities.ts';
import type { MediaStore } from '../media/media-store.ts';
import type { Providers } from '../providers/providers.ts';
import type { StageName } from './names.ts';
import type { StageOutput } from './outputs.ts';

export type DependencyOutputs = Partial<Record<StageName, StageOutput>>;

export interface ProgressUpdate {
  progress: number;
  step?: number;
  totalSteps?: number;
  message?: string;
  etaSeconds?: number;
  /** Text stages: model tokens per second so far. */
  tokensPerSecond?: number;
}

/** What a text stage tells the worker as its model call starts, to estimate the answer's length. */
export interface TextRunInfo {
  /** Characters of the prompt's material (the user message). */
  inputChars: number;
  language: 'zh' | 'en';
  /** The answer's length in tokens from what was asked (target length, scene count). */
  askedTokens: number;
  /** Structured answers: a key each unit (scene, shot) has once, and how many units were asked. */
  units?: { marker: string; total: number };
}

export interface StageRunContext<I> {
  input: I;
  project: Pick<ProjectRow, 'id' | 'name' | 'originalTopic' | 'originalText'>;
  /** The current version's output of each stage this one depends on. */
  outputs: DependencyOutputs;
  /**
   * Earlier outputs of this stage in this project, newest first, whose scenes a media stage
   * may reuse when their effective input is unchanged; empty with cache FRESH.
   */
  earlier?: StageOutput[];
  providers: Providers;
  /** The model configured for this stage, if any (passed on every provider request). */
  model?: string;
  media: MediaStore;
  signal: AbortSignal;
  /** Streams text as the model writes it; cheap (batched behind the scenes). */
  token(delta: string): void;
  progress(update: ProgressUpdate): Promise<void>;
  /** Text stages: the model call starts; the worker then reports speed and an estimate each second. */
  textStarted?(info: TextRunInfo): void;
}

export interface StageResult {
  output: StageOutput;
  /** The text the attempt streamed (text stages), kept as Task.text. */
  text?: string;
  tokensUsed?: number;
  /** Text stages: model tokens per second of the attempt (set by the worker). */
  tokensPerSecond?: number;
  /** Media stages: how many of all scenes it generated (the rest it reused); it is charged that share. */
  scenes?: { generated: number; total: number };
}

export interface StageDefinition<I = unknown> {
  name: StageName;
  order: number;
  label: string;
  dependsOn: StageName[];
  /**
   * Which kind of model provider the stage calls (its time limit is the kind's); `film`: none,
   * the work is done here (by `producer`).
   */
  providerKind: 'text' | 'image' | 'video' | 'audio' | 'film';
  /** Who makes the output when no model provider does (FILM: ffmpeg); tasks name it as their provider. */
  producer?: { name: string; model: string };
  /** Outputs the stage reads besides its dependencies' (they are upstream of those). */
  reads?: StageName[];
  creditCost: number;
  /** Validates `ExecuteStageInput.input`; throws BadInputError naming the field and the rule. */
  parseInput(raw: unknown): I;
  /** Why the stage cannot run yet (its dependencies have no output), or null. */
  missing(input: I, project: StageRunContext<I>['project'], outputs: DependencyOutputs): string | null;
  run(ctx: StageRunContext<I>): Promise<StageResult>;
}
