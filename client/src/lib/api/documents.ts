/**
 * Every GraphQL operation of the client, in one place. `npm run codegen` turns each
 * `graphql(...)` call into a typed document in `client/src/gql/`.
 */
import { graphql } from '../../gql/index.ts';

export const StageOutputFieldsFragment = graphql(`
  fragment StageOutputFields on StageOutput {
    __typename
    ... on RewriteOutput {
      text
    }
    ... on StoryboardOutput {
      scenes {
        index
        narration
        visualPrompt
        durationSeconds
      }
    }
    ... on ImagesOutput {
      images {
        sceneIndex
        url
        prompt
      }
    }
    ... on CameraOutput {
      shots {
        sceneIndex
        movement
        description
      }
    }
    ... on VideoOutput {
      clips {
        sceneIndex
        url
        durationSeconds
      }
    }
    ... on NarrationOutput {
      voice
      audioUrl
      lines {
        sceneIndex
        text
        startSeconds
        durationSeconds
        audioUrl
      }
    }
    ... on FilmOutput {
      url
      durationSeconds
      width
      height
      subtitlesUrl
      posterUrl
    }
  }
`);

export const TaskErrorFieldsFragment = graphql(`
  fragment TaskErrorFields on TaskError {
    code
    message
    retryable
  }
`);

/** What a page needs to show a task at once, mid-run: the snapshot and its cursor. */
export const TaskSnapshotFieldsFragment = graphql(`
  fragment TaskSnapshotFields on Task {
    id
    stage
    status
    attempt
    maxAttempts
    progress
    message
    lastSeq
    text
    createdAt
    error {
      ...TaskErrorFields
    }
    output {
      ...StageOutputFields
    }
  }
`);

/** An event as the stream assembler wants it: `delta`, never `fullText`. */
export const StageEventFieldsFragment = graphql(`
  fragment StageEventFields on StageEvent {
    __typename
    seq
    taskId
    stage
    attempt
    at
    ... on TaskStatusEvent {
      status
      message
    }
    ... on TokenEvent {
      delta
    }
    ... on ProgressEvent {
      progress
      step
      totalSteps
      message
      etaSeconds
      tokensPerSecond
    }
    ... on CompletedEvent {
      output {
        ...StageOutputFields
      }
    }
    ... on FailedEvent {
      error {
        ...TaskErrorFields
      }
      willRetry
      retryInMs
    }
  }
`);

export const ProjectSummaryFieldsFragment = graphql(`
  fragment ProjectSummaryFields on Project {
    id
    name
    originalTopic
    originalText
    createdAt
    updatedAt
    stages {
      name
      status
    }
  }
`);

export const AuthPayloadFieldsFragment = graphql(`
  fragment AuthPayloadFields on AuthPayload {
    token
    user {
      id
      email
      credits
    }
  }
`);

export const MeQuery = graphql(`
  query Me {
    me {
      id
      email
      credits
    }
  }
`);

export const StageInfosQuery = graphql(`
  query StageInfos {
    stages {
      name
      order
      label
      dependsOn
      creditCost
    }
  }
`);

export const ProjectsQuery = graphql(`
  query Projects {
    projects {
      ...ProjectSummaryFields
    }
  }
`);

/** Opening a project: every stage with its newest task's snapshot and cursor. */
export const ProjectPageQuery = graphql(`
  query ProjectPage($id: ID!) {
    project(id: $id) {
      id
      name
      originalTopic
      originalText
      createdAt
      updatedAt
      stages {
        name
        status
        updatedAt
        output {
          ...StageOutputFields
        }
        error {
          ...TaskErrorFields
        }
        latestTask {
          ...TaskSnapshotFields
        }
      }
    }
  }
`);

/** The polling fallback's cheap check: which task is newest per stage, and its cursor. */
export const PollProjectQuery = graphql(`
  query PollProject($id: ID!) {
    project(id: $id) {
      id
      stages {
        name
        status
        latestTask {
          id
          status
          lastSeq
        }
      }
    }
  }
`);

/** Missing events (a gap, a new task joined mid-stream, or polling). */
export const TaskEventsQuery = graphql(`
  query TaskEvents($taskId: ID!, $after: Int!, $first: Int!) {
    task(id: $taskId) {
      id
      lastSeq
      events(after: $after, first: $first) {
        ...StageEventFields
      }
    }
  }
`);

export const SignUpMutation = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      ...AuthPayloadFields
    }
  }
`);

export const SignInMutation = graphql(`
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) {
      ...AuthPayloadFields
    }
  }
`);

export const SignOutMutation = graphql(`
  mutation SignOut {
    signOut
  }
`);

export const CreateProjectMutation = graphql(`
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) {
      ...ProjectSummaryFields
    }
  }
`);

export const DeleteProjectMutation = graphql(`
  mutation DeleteProject($id: ID!) {
    deleteProject(id: $id)
  }
`);

export const ExecuteStageMutation = graphql(`
  mutation ExecuteStage($input: ExecuteStageInput!) {
    executeStage(input: $input) {
      ...TaskSnapshotFields
    }
  }
`);

export const RunPipelineMutation = graphql(`
  mutation RunPipeline($projectId: ID!, $from: StageName) {
    runPipeline(projectId: $projectId, from: $from) {
      ...TaskSnapshotFields
    }
  }
`);

export const CancelTaskMutation = graphql(`
  mutation CancelTask($id: ID!) {
    cancelTask(id: $id) {
      ...TaskSnapshotFields
    }
  }
`);

/** A stage's events, live, resumed from a cursor. */
export const StageProgressSubscription = graphql(`
  subscription StageProgress($projectId: ID!, $stage: StageName!, $after: Int) {
    stageProgress(projectId: $projectId, stage: $stage, after: $after) {
      ...StageEventFields
    }
  }
`);
