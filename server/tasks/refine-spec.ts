// What a refineStage task is asked to do, stored with the task (Task.refine, JSON): the
// worker revises `baseText` when the refine superseded a task part-way (its partial text),
// else the version `baseVersionId`.
import { parseJson } from '../db/json.ts';

export interface RefineSpec {
  instructions: string;
  /** The earlier instructions of the chain, oldest first. */
  history: string[];
  /** The version revised (null when there was none: a first run superseded part-way). */
  baseVersionId: string | null;
  /** The text a superseded task had written, revised instead of the version. */
  baseText: string | null;
}

export const refineSpecOf = (row: { refine?: string | null }): RefineSpec | null => parseJson<RefineSpec>(row.refine);
