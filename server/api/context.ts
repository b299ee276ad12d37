// One context factory for HTTP, SSE and WebSocket: who is asking, and the services.
import type { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Accounts } from '../auth/accounts.ts';
import { bearerToken } from '../auth/tokens.ts';
import type { UserRow } from '../db/entities.ts';
import { UnauthenticatedError } from '../errors.ts';
import type { EventLog, LogMeta } from '../events/event-log.ts';
import type { FollowDeps } from '../events/follow-task.ts';
import type { ProjectService } from '../projects/project-service.ts';
import type { ProviderRecords } from '../providers/provider-records.ts';
import type { MediaStore } from '../media/media-store.ts';
import type { StageRegistry } from '../stages/registry.ts';
import type { ExecuteStage } from '../tasks/execute-stage.ts';
import type { CancelTask } from '../tasks/cancel-task.ts';
import type { DeleteProject } from '../tasks/delete-project.ts';
import type { RunPipeline } from '../tasks/run-pipeline.ts';
import type { TaskStore } from '../tasks/task-store.ts';

export type LiveSnapshot = { meta: LogMeta; text: string };

export interface Services {
  accounts: Accounts;
  projects: ProjectService;
  tasks: TaskStore;
  registry: StageRegistry;
  executeStage: ExecuteStage;
  runPipeline: RunPipeline;
  cancelTask: CancelTask;
  deleteProject: DeleteProject;
  eventLog: EventLog;
  pubsub: RedisPubSub;
  follow: FollowDeps;
  providerRecords: ProviderRecords;
  media: MediaStore;
  /** Lower-cased emails of the administrators. */
  adminEmails: string[];
  stageChannel: (projectId: string, stage: string) => string;
}

export interface Context {
  services: Services;
  user: UserRow | null;
  /** The bearer token of this request, when it carried one. */
  token: string | undefined;
  /** The signed-in user, or UNAUTHENTICATED. */
  requireUser(): UserRow;
  /** The signed-in administrator; anyone else is refused. */
  requireAdmin(): UserRow;
  /** Origin that media paths are made absolute against (PUBLIC_URL, else the request's). */
  baseUrl: string;
  /** Live state and text of a task, read from Redis at most once per request and task. */
  live(taskId: string): Promise<LiveSnapshot | null>;
}

export interface ContextSource {
  request?: Request;
  connectionParams?: Record<string, unknown>;
  /** Set by the WebSocket adapter: the token of the connection (or of the operation). */
  socketToken?: string | null;
  /** The origin the WebSocket adapter saw on the upgrade request. */
  socketOrigin?: string;
}

export function tokenFromSource(source: ContextSource): string | undefined {
  const header = source.request?.headers.get('authorization') ?? (source.connectionParams?.authorization as string | undefined);
  return bearerToken(header);
}

export function createContextFactory(services: Services, opts: { publicUrl?: string } = {}) {
  return async (source: ContextSource): Promise<Context> => {
    let user: UserRow | null = null;
    let badToken = false;
    // Checked on every operation, so a token signed out elsewhere stops working on an open socket too.
    const token = source.socketToken !== undefined ? (source.socketToken ?? undefined) : tokenFromSource(source);
    if (token) {
      user = await services.accounts.authenticate(token);
      // A stale token must not block signUp/signIn: it only fails what needs a user.
      badToken = !user;
    }
    const baseUrl = opts.publicUrl ?? source.socketOrigin ?? (source.request ? new URL(source.request.url).origin : '');
    const requireUser = (): UserRow => {
      if (!user) throw new UnauthenticatedError(badToken ? 'This token is not valid (signed out or expired); sign in again.' : undefined);
      return user;
    };
    const liveCache = new Map<string, Promise<LiveSnapshot | null>>();
    return {
      services,
      user,
      token,
      baseUrl,
      requireUser,
      requireAdmin() {
        const admin = requireUser();
        if (!services.adminEmails.includes(admin.email)) throw new UnauthenticatedError('This operation needs an administrator account.');
        return admin;
      },
      live(taskId) {
        let snapshot = liveCache.get(taskId);
        if (!snapshot) liveCache.set(taskId, (snapshot = services.eventLog.snapshot(taskId)));
        return snapshot;
      },
    };
  };
}
