/** Names for the generated types the UI passes around. */
import type {
  StageEventFieldsFragment,
  StageOutputFieldsFragment,
  TaskErrorFieldsFragment,
  TaskSnapshotFieldsFragment,
} from '../../gql/graphql.ts';
import type { FollowerState, StageView } from '../stream/project-follower.ts';

export type StageOutput = StageOutputFieldsFragment;
export type StageEvent = StageEventFieldsFragment;
export type TaskSnapshot = TaskSnapshotFieldsFragment;
export type TaskError = TaskErrorFieldsFragment;

export type ProjectView = FollowerState<StageOutput>;
export type StageViewModel = StageView<StageOutput>;

export type { StageInfosQuery, MeQuery, ProjectsQuery } from '../../gql/graphql.ts';
