// Subscribers that ask for the same thing share one execution. A thousand people watching one
// task over one token would otherwise each run their own follower, their own GraphQL execution
// of every event and their own result object; here the first subscription of a kind (same
// bearer token, same document and operation, same variables) runs, and every other one reads
// its results. Each subscriber still passes the per-subscriber checks (rate limit, stream caps,
// session end) and gets yoga's per-result hooks (masking, metrics), on WebSocket and SSE alike.
import { GraphQLError, Kind, print, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AppError } from '../errors.ts';
import type { AdmittedStream, Context } from './context.ts';

export interface SharedSubscriptionOptions {
  /**
   * Results a shared stream keeps so that a subscriber arriving later still starts from the
   * same first event as a subscription of its own would. Past this it takes no newcomers (they
   * start a stream of their own). @default 256
   */
  replayLimit?: number;
  /** Results one subscriber may fall behind its shared stream before it is ended (it resumes with `after`). @default 10000 */
  maxLag?: number;
}

/**
 * Root fields whose results depend only on their arguments and the durable log, so a newcomer
 * can be given what the stream already sent. The others (stageProgress follows whatever task
 * is newest when it starts) are shared only by subscribers that arrive before their first result.
 */
const REPLAYABLE = new Set(['taskProgress']);

type Result = ExecutionResult;
type Subscribe = (args: ExecutionArgs) => unknown;

class FellBehindError extends AppError {
  constructor() {
    super('SERVICE_UNAVAILABLE', 'This subscription fell too far behind its stream; subscribe again with `after` set to the last seq you received.');
  }
}

const asResult = (err: unknown): Result => ({
  errors: [err instanceof GraphQLError ? err : new GraphQLError(err instanceof Error ? err.message : String(err), { originalError: err instanceof Error ? err : undefined })],
});

/** One subscriber's view of a shared stream: a queue it drains at its own pace. */
class Listener implements AsyncIterableIterator<Result> {
  private queue: Result[] = [];
  private head = 0;
  private done = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly maxLag: number,
    /** Asks the shared stream for its next result (delivered to every listener's queue). */
    private readonly pull: () => Promise<void>,
    private readonly detach: (l: Listener) => void,
    private readonly lease: AdmittedStream | null,
  ) {
    lease?.signal.addEventListener('abort', () => this.fail(lease.ended()), { once: true });
  }

  push(r: Result) {
    if (this.done) return;
    this.queue.push(r);
    if (this.queue.length - this.head > this.maxLag) this.fail(new FellBehindError());
  }

  /** Ends after what is queued. */
  end() {
    if (this.done) return;
    this.done = true;
    this.release();
    this.wake?.();
  }

  /** Ends now, with this error as the last result. */
  private fail(err: unknown) {
    if (this.done) return;
    this.queue = [];
    this.head = 0;
    this.push(asResult(err));
    this.end();
  }

  private release() {
    this.detach(this);
    this.lease?.close();
  }

  next(): Promise<IteratorResult<Result>> {
    if (this.head < this.queue.length) {
      const value = this.queue[this.head++];
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    // Woken by the shared read, or by this subscriber's own end (its session, a return()).
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.pull().then(resolve, resolve);
    }).then(() => {
      this.wake = null;
      return this.next();
    });
  }

  return(): Promise<IteratorResult<Result>> {
    this.queue = [];
    this.head = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

interface SharedStream {
  listeners: Set<Listener>;
  /** What was sent so far, for newcomers; null once the stream takes none. */
  replay: Result[] | null;
  replayable: boolean;
  source: AsyncIterator<Result>;
  /** The read in flight: whichever subscriber is ready first reads for all. */
  pulling: Promise<void> | null;
}

const isAsyncIterable = (x: unknown): x is AsyncIterable<Result> => typeof x === 'object' && x !== null && Symbol.asyncIterator in x;

export function useSharedSubscriptions(opts: SharedSubscriptionOptions = {}): Plugin<Context> {
  const replayLimit = opts.replayLimit ?? 256;
  const maxLag = opts.maxLag ?? 10_000;
  const streams = new Map<string, Promise<SharedStream | null>>();
  const documentKeys = new WeakMap<object, string>();

  const documentKey = (args: ExecutionArgs) => {
    let key = documentKeys.get(args.document);
    if (key === undefined) {
      key = args.document.loc?.source.body ?? print(args.document);
      documentKeys.set(args.document, key);
    }
    return key;
  };

  const rootField = (args: ExecutionArgs) => {
    const op = args.document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION && (!args.operationName || d.name?.value === args.operationName));
    const first = op?.kind === Kind.OPERATION_DEFINITION ? op.selectionSet.selections[0] : undefined;
    return first?.kind === Kind.FIELD ? first.name.value : null;
  };

  const stop = (key: string, shared: SharedStream) => {
    shared.replay = null;
    void streams.get(key)?.then((s) => s === shared && streams.delete(key));
  };

  // Read on demand, not pumped: when every subscriber is slow the source waits too, and the
  // follower behind it bounds what it holds (reading back from the log), as it does alone.
  const pull = (key: string, shared: SharedStream) => {
    shared.pulling ??= shared.source.next().then(
      (next) => {
        shared.pulling = null;
        if (next.done) return finish(key, shared);
        if (shared.replay) {
          if (shared.replayable && shared.replay.length < replayLimit) shared.replay.push(next.value);
          else stop(key, shared);
        }
        for (const l of shared.listeners) l.push(next.value);
      },
      (err: unknown) => {
        shared.pulling = null;
        for (const l of shared.listeners) l.push(asResult(err));
        finish(key, shared);
      },
    );
    return shared.pulling;
  };

  const finish = (key: string, shared: SharedStream) => {
    stop(key, shared);
    for (const l of [...shared.listeners]) l.end();
  };

  const listen = (key: string, shared: SharedStream, lease: AdmittedStream | null) => {
    const listener = new Listener(
      maxLag,
      () => pull(key, shared),
      (l) => {
        shared.listeners.delete(l);
        if (shared.listeners.size === 0) {
          stop(key, shared);
          void shared.source.return?.();
        }
      },
      lease,
    );
    for (const r of shared.replay ?? []) listener.push(r);
    shared.listeners.add(listener);
    return listener;
  };

  const join = async (args: ExecutionArgs, key: string, shared: SharedStream) => {
    let lease: AdmittedStream;
    try {
      lease = await (args.contextValue as Context).admitStream();
    } catch (err) {
      return asResult(err);
    }
    if (!shared.replay) {
      lease.close(); // it stopped taking newcomers meanwhile
      return null;
    }
    return listen(key, shared, lease);
  };

  const shareable = (subscribe: Subscribe) => async (args: ExecutionArgs) => {
    const ctx = args.contextValue as Partial<Context>;
    const field = rootField(args);
    if (!ctx.token || !field || !ctx.admitStream) return subscribe(args);
    const key = JSON.stringify([ctx.token, documentKey(args), args.operationName ?? null, args.variableValues ?? null]);
    const existing = await streams.get(key);
    if (existing?.replay) {
      const joined = await join(args, key, existing);
      if (joined) return joined;
    }
    // The first of its kind: opens the stream, and newcomers wait for it.
    let settle!: (s: SharedStream | null) => void;
    streams.set(key, new Promise((resolve) => (settle = resolve)));
    let opened: unknown;
    try {
      opened = await subscribe(args);
    } catch (err) {
      settle(null);
      streams.delete(key);
      throw err;
    }
    if (!isAsyncIterable(opened)) {
      settle(null);
      streams.delete(key);
      return opened; // an error result: nothing to share
    }
    const shared: SharedStream = { listeners: new Set(), replay: [], replayable: REPLAYABLE.has(field), source: opened[Symbol.asyncIterator](), pulling: null };
    const listener = listen(key, shared, null);
    settle(shared);
    return listener;
  };

  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn(shareable(subscribeFn as Subscribe) as unknown as typeof subscribeFn);
    },
  };
}
