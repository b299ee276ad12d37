// The operations the tests send, written as a third-party client would.
export const EVENT_FIELDS = `
  __typename seq taskId projectId stage attempt at provider model
  ... on TaskStatusEvent { status message }
  ... on TokenEvent { delta fullText }
  ... on ProgressEvent { progress step totalSteps message etaSeconds }
  ... on CompletedEvent { output { __typename ... on RewriteOutput { text } } task { id status } }
  ... on FailedEvent { error { code message retryable } willRetry retryInMs }
`;

export const TASK_PROGRESS = `subscription($taskId: ID!, $after: Int) { taskProgress(taskId: $taskId, after: $after) { ${EVENT_FIELDS} } }`;
export const STAGE_PROGRESS = `subscription($projectId: ID!, $stage: StageName!, $after: Int) { stageProgress(projectId: $projectId, stage: $stage, after: $after) { ${EVENT_FIELDS} } }`;

export const CREATE_PROJECT = `mutation($i: CreateProjectInput!) { createProject(input: $i) { id name originalTopic originalText } }`;
export const EXECUTE_STAGE = `mutation($i: ExecuteStageInput!) { executeStage(input: $i) { id status stage attempt maxAttempts lastSeq creditsCharged channel } }`;
export const TASK = `query($id: ID!) { task(id: $id) { id status attempt progress lastSeq text tokensUsed processingTimeMs creditsCharged error { code message retryable }
  output { __typename ... on RewriteOutput { text } } } }`;
export const TASK_EVENTS = `query($id: ID!, $after: Int, $first: Int) { task(id: $id) { events(after: $after, first: $first) { ${EVENT_FIELDS} } } }`;
