// GraphiQL's default document: the README's first session, runnable operation by operation.
// The README quotes it verbatim (a test checks both, and that it validates against the schema).
export const FIRST_SESSION = `# Story Pipeline: a first session. Run the operations in order (▶ offers each by name).
# 1. Sign up, then put the token in Headers: { "Authorization": "Bearer <token>" }
mutation SignUp { signUp(input: { email: "me@example.com", password: "a long password" }) { token } }
# 2. Create a project; its id goes into step 3.
mutation CreateProject { createProject(input: { name: "猫", originalTopic: "一只会说话的猫" }) { id } }
# 3. Run a stage; its task id goes into step 4.
mutation RunStage { executeStage(input: { projectId: "<id>", stage: REWRITE }) { id lastSeq } }
# 4. Watch it stream over WebSocket: every token, step and status change.
subscription FollowTask { taskProgress(taskId: "<task id>") { seq __typename ... on TokenEvent { delta } } }
`;
