import type { StageVersionsQuery } from '../../gql/graphql.ts';
import type { StageOutput } from '../api/types.ts';

/** One stage as the versions query sees it: stale mark, current output, versions. */
export type StageSteerData = NonNullable<StageVersionsQuery['project']>['stages'][number];
export type StageVersionItem = StageSteerData['versions'][number];

/** What a stage card shows besides its live task: from the versions query, once it knows the task. */
export interface StageExtras {
  stale: boolean;
  /** The newest task reused an earlier output. */
  cached: boolean;
  /** Credits the newest (finished) task was charged. */
  charged: number | null;
  /** The current version's output, when it is newer than what the live task shows (an edit, a selected version). */
  output: StageOutput | null | undefined;
}
