// One context factory for HTTP, SSE and WebSocket: who is asking, and the services.
import type { RedisPubSub } from 'graphql-redis-subscriptions';
import type { IncomingMessage } from 'node:http';
import type { Accounts } from '../auth/accounts.ts';
import type { SessionWatch, StreamLease, StreamTransport } from '../auth/session-watch.ts';
import { bearerToken } from '../auth/tokens.ts';
import type { ShareGrant, ShareLinks } from '../auth/share-links.ts';
import type { UserRow } from '../db/entities.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors.ts';
import type { EventLog, LogMeta } from '../events/event-log.ts';
import type { FollowDeps } from '../events/follow-task.ts';
import type { RateLimits } from '../limits/rate-limits.ts';
import type { ProjectService } from '../projects/project-service.ts';
import type { ProviderRecords } from '../providers/provider-records.ts';
import type { MediaStore } from '../media/media-store.ts';
import type { StageRegistry } from '../stages/registry.ts';
import type { ExecuteStage } from '../tasks/execute-stage.ts';
import type { CancelTask } from '../tasks/cancel-task.ts';
import type { DeleteProject } from '../tasks/delete-project.ts';
import type { RunPipeline } from '../tasks/run-pipeline.ts';
import type { TaskStore } from '../tasks/task-store.ts';
import type { StageHistory } from '../observability/stage-history.ts';
import type { TaskRates } from '../events/task-rate.ts';
import type { StageEdits } from '../tasks/edit-stage.ts';
import type { RefineStage } from '../tasks/refine-stage.ts';
import type { VersionStore } from '../tasks/version-store.ts';

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
  stageChannel: (projectId: string, stage: string) => string;
  rateLimits: RateLimits;
  sessions: SessionWatch;
  /** Recent runs of each stage (estimates). */
  history: StageHistory;
  /** Running tasks' speed and ETA. */
  rates: TaskRates;
  /** Read-only links to projects. */
  shareLinks: ShareLinks;
  /** Where the web client is served: share links open `<clientUrl>/#/share/<token>`. */
  clientUrl: () => string;
  versions: VersionStore;
  refineStage: RefineStage;
  stageEdits: StageEdits;
}

/** Who may read: a user reads their own projects; a share token one project of its owner's. */
export interface Reader {
  ownerId: string;
  /** Set for a share token: the one project it opens. */
  projectId?: string;
}

/** A stream's place under the per-holder caps; `ended` is the error its end is told with. */
export type AdmittedStream = StreamLease & { ended(): Error };

/** What a subscription yields: events, or the error that ends it (delivered as a result, not thrown). */
export type Streamed<T> = T | Error;

export interface Context {
  services: Services;
  user: UserRow | null;
  /** The bearer token of this request, when it carried one. */
  token: string | undefined;
  /** Set when the bearer token is a share link's: read-only access to one project. */
  share: ShareGrant | null;
  /** The signed-in user, or UNAUTHENTICATED (FORBIDDEN for a share token: it is read-only). */
  requireUser(): UserRow;
  /** Who reads: the signed-in user, or a share token's owner and project; else UNAUTHENTICATED. */
  reader(): Reader;
  /** NOT_FOUND unless the reader may read this project (a share token: only its own). */
  assertReadable(projectId: string, what: string, id: string): void;
  /** The signed-in administrator; anyone else is refused. */
  requireAdmin(): UserRow;
  /** Origin that media paths are made absolute against: PUBLIC_URL, else http://localhost:<port>, never the Host header. */
  baseUrl: string;
  /** Live state and text of a task, read from Redis at most once per request and task. */
  live(taskId: string): Promise<LiveSnapshot | null>;
  /** The client's address (the socket's, or the proxy's X-Forwarded-For when TRUST_PROXY is set). */
  ip: string;
  transport: StreamTransport;
  /**
   * Opens a subscription's stream for the signed-in user: rate limited, counted against the
   * per-user caps, and ended with UNAUTHENTICATED when the session ends (signOut, expiry).
   */
  stream<T>(open: () => AsyncGenerator<T>): Promise<AsyncGenerator<Streamed<T>>>;
  /** The checks `stream` makes (signed in, rate limit, stream caps), for a subscriber that joins a stream already open. */
  admitStream(): Promise<AdmittedStream>;
}

export interface ContextSource {
  request?: Request;
  connectionParams?: Record<string, unknown>;
  /** Set by the WebSocket adapter: the token of the connection (or of the operation). */
  socketToken?: string | null;
  /** Node's request: yoga's server context over HTTP, the upgrade request over WebSocket. */
  req?: IncomingMessage;
}

/**
 * `source` until `signal` aborts; then `ended()` as the last item (or the source's error,
 * when it fails). A plain iterator, not a
 * generator: `onEnd` must run even when the consumer returns before the first `next()`.
 */
function until<T>(source: AsyncGenerator<T>, signal: AbortSignal, ended: () => Error, onEnd: () => void): AsyncGenerator<Streamed<T>> {
  let finished = false;
  let stop!: () => void;
  const stopped = new Promise<'stopped'>((resolve) => (stop = () => resolve('stopped')));
  signal.addEventListener('abort', stop, { once: true });
  const finish = () => {
    if (finished) return;
    finished = true;
    signal.removeEventListener('abort', stop);
    onEnd();
    // Not awaited: a follower parked on a quiet channel returns when it next wakes.
    void source.return(undefined).catch(() => {});
  };
  const iterator: AsyncGenerator<Streamed<T>> = {
    async next() {
      if (finished) return { done: true, value: undefined };
      let next: IteratorResult<T> | 'stopped';
      try {
        next = signal.aborted ? 'stopped' : await Promise.race([source.next(), stopped]);
      } catch (err) {
        // A failing stream ends with its error as a result, so it is mapped like any other.
        finish();
        return { done: false, value: err instanceof Error ? err : new Error(String(err)) };
      }
      if (next === 'stopped') {
        finish();
        return { done: false, value: ended() };
      }
      if (next.done) finish();
      return next;
    },
    async return() {
      finish();
      return { done: true, value: undefined };
    },
    async throw(err: unknown) {
      finish();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

export function clientIp(req: IncomingMessage | undefined, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req?.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req?.socket.remoteAddress ?? 'unknown';
}

export function tokenFromSource(source: ContextSource): string | undefined {
  const header = source.request?.headers.get('authorization') ?? (source.connectionParams?.authorization as string | undefined);
  return bearerToken(header);
}

/** `baseUrl` is read per request: the configured origin (the port is known once listening). */
export function createContextFactory(services: Services, opts: { baseUrl: () => string; trustProxy?: boolean }) {
  return async (source: ContextSource): Promise<Context> => {
    let user: UserRow | null = null;
    let share: ShareGrant | null = null;
    let badToken = false;
    // Checked on every operation, so a token signed out elsewhere stops working on an open socket too.
    const token = source.socketToken !== undefined ? (source.socketToken ?? undefined) : tokenFromSource(source);
    if (token) {
      user = await services.accounts.authenticate(token);
      if (!user) share = await services.shareLinks.resolve(token);
      // A stale token must not block signUp/signIn: it only fails what needs a user.
      badToken = !user && !share;
    }
    // Never from the request (its Host header is the client's to choose).
    const baseUrl = opts.baseUrl();
    const requireUser = (): UserRow => {
      if (share) throw new ForbiddenError('A share link gives read-only access to one project; sign in to change anything.');
      if (!user) throw new UnauthenticatedError(badToken ? 'This token is not valid (signed out or expired); sign in again.' : undefined);
      return user;
    };
    const liveCache = new Map<string, Promise<LiveSnapshot | null>>();
    const transport: StreamTransport =
      source.socketToken !== undefined ? 'ws' : source.request?.headers.get('accept')?.includes('text/event-stream') ? 'sse' : 'http';
    const endedMessage = share ? 'This share link has been revoked.' : 'This session has ended (signed out or expired); sign in again.';
    const admitStream = async (): Promise<AdmittedStream> => {
      // A share link has limits of its own, apart from its owner's; revoking it ends its streams like a signOut.
      const holder = share ? `share:${share.linkId}` : requireUser().id;
      await services.rateLimits.subscribe(holder);
      const lease = services.sessions.open({ token: token!, userId: holder, transport });
      return { signal: lease.signal, close: () => lease.close(), ended: () => new UnauthenticatedError(endedMessage) };
    };
    return {
      ip: clientIp(source.req, opts.trustProxy ?? false),
      transport,
      admitStream,
      async stream(open) {
        const lease = await admitStream();
        try {
          return until(open(), lease.signal, lease.ended, () => lease.close());
        } catch (err) {
          lease.close(); // open() refused before any stream existed
          throw err;
        }
      },
      services,
      user,
      share,
      token,
      baseUrl,
      requireUser,
      reader() {
        if (share) return { ownerId: share.ownerId, projectId: share.projectId };
        return { ownerId: requireUser().id };
      },
      assertReadable(projectId, what, id) {
        if (share && share.projectId !== projectId) throw new NotFoundError(what, id);
      },
      requireAdmin() {
        const admin = requireUser();
        if (!admin.isAdmin) throw new ForbiddenError('This operation needs an administrator account.');
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
