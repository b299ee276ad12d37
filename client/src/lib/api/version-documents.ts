/**
 * The operations of versions, refine and edit (issue 17), beside documents.ts so codegen
 * picks them up with the rest.
 */
import { graphql } from '../../gql/index.ts';

/** Every stage's versions, stale mark and current output, with the task that made it. */
export const StageVersionsQuery = graphql(`
  query StageVersions($id: ID!) {
    project(id: $id) {
      id
      stages {
        name
        stale
        output {
          ...StageOutputFields
        }
        latestTask {
          id
          status
          cached
          creditsCharged
        }
        versions(first: 20) {
          id
          createdAt
          source
          instructions
          current
          task {
            id
            cached
          }
          output {
            ...StageOutputFields
          }
        }
      }
    }
  }
`);

export const RefineStageMutation = graphql(`
  mutation RefineStage($input: RefineStageInput!) {
    refineStage(input: $input) {
      ...TaskSnapshotFields
    }
  }
`);

export const UpdateStageOutputMutation = graphql(`
  mutation UpdateStageOutput($input: UpdateStageOutputInput!) {
    updateStageOutput(input: $input) {
      name
      stale
    }
  }
`);

export const SelectStageVersionMutation = graphql(`
  mutation SelectStageVersion($projectId: ID!, $stage: StageName!, $versionId: ID!) {
    selectStageVersion(projectId: $projectId, stage: $stage, versionId: $versionId) {
      name
      stale
    }
  }
`);
