// Open streams (subscriptions over WebSocket and SSE) end when their session does: a
// signOut anywhere (announced on one Redis channel, so every API instance hears it), or
// expiry (each instance rechecks the sessions it holds streams for). It also caps how many
// streams one user holds open on this instance, SSE ones separately.
import type { RedisPubSub } from 'graphql-redis-subscriptions';
import { RateLimitedError } from '../errors.ts';
import type { Metrics } from '../observability/metrics.ts';
import { hashToken } from './tokens.ts';

export type StreamTransport = 'ws' | 'sse' | 'http';

export interface SessionWatchConfig {
  /** Streams one user may hold open at once on one API instance. */
  maxStreamsPerUser: number;
  /** Of those, SSE streams (each holds an HTTP connection). */
  maxSseStreamsPerUser: number;
  /** How often held sessions are checked for expiry (and slid while streams are open). */
  recheckMs: number;
}

export interface StreamLease {
  /** Aborts when the session ends. */
  signal: AbortSignal;
  close(): void;
}

export interface SessionWatch {
  /** Registers a stream of this session; RATE_LIMITED past the per-user caps. */
  open(session: { token: string; userId: string; transport: StreamTransport }): StreamLease;
  /** Ends this session's open streams on every instance. */
  ended(token: string): Promise<void>;
  /** Checks every session this instance holds streams for now (it also runs every `recheckMs`). */
  recheck(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Held {
  token: string;
  userId: string;
  transport: StreamTransport;
  controller: AbortController;
}

export function createSessionWatch(deps: {
  pubsub: RedisPubSub;
  channel: string;
  /** Whether a session is still live (and keeps it so: using a session slides its expiry). */
  isLive: (token: string) => Promise<boolean>;
  config: SessionWatchConfig;
  log: (msg: string, err?: unknown) => void;
  /** Counts open streams by transport. */
  metrics?: Metrics;
}): SessionWatch {
  const bySession = new Map<string, Set<Held>>();
  const perUser = new Map<string, { all: number; sse: number }>();
  let subId: number | null = null;
  let timer: NodeJS.Timeout | null = null;

  const endLocal = (tokenHash: string) => {
    for (const held of bySession.get(tokenHash) ?? []) held.controller.abort();
  };

  const recheck = async () => {
    for (const [tokenHash, helds] of bySession) {
      const [first] = helds;
      if (!first) continue;
      try {
        if (!(await deps.isLive(first.token))) endLocal(tokenHash);
      } catch (err) {
        deps.log('session recheck failed', err); // an outage ends no session
      }
    }
  };

  return {
    open({ token, userId, transport }) {
      const counts = perUser.get(userId) ?? { all: 0, sse: 0 };
      if (counts.all >= deps.config.maxStreamsPerUser) throw new RateLimitedError('open subscriptions for this account', 1000);
      if (transport === 'sse' && counts.sse >= deps.config.maxSseStreamsPerUser) throw new RateLimitedError('open SSE streams for this account', 1000);
      counts.all += 1;
      if (transport === 'sse') counts.sse += 1;
      perUser.set(userId, counts);
      const tokenHash = hashToken(token);
      const held: Held = { token, userId, transport, controller: new AbortController() };
      const set = bySession.get(tokenHash) ?? new Set();
      set.add(held);
      bySession.set(tokenHash, set);
      deps.metrics?.streamChanged(transport, 1);
      let closed = false;
      return {
        signal: held.controller.signal,
        close() {
          if (closed) return;
          closed = true;
          deps.metrics?.streamChanged(transport, -1);
          set.delete(held);
          if (set.size === 0) bySession.delete(tokenHash);
          counts.all -= 1;
          if (transport === 'sse') counts.sse -= 1;
          if (counts.all === 0) perUser.delete(userId);
        },
      };
    },

    async ended(token) {
      const tokenHash = hashToken(token);
      endLocal(tokenHash);
      await deps.pubsub.publish(deps.channel, { tokenHash });
    },

    recheck,

    async start() {
      subId = await deps.pubsub.subscribe(deps.channel, (m: { tokenHash: string }) => endLocal(m.tokenHash));
      timer = setInterval(() => void recheck(), deps.config.recheckMs);
      timer.unref();
    },

    async stop() {
      if (timer) clearInterval(timer);
      if (subId !== null) deps.pubsub.unsubscribe(subId);
      for (const tokenHash of [...bySession.keys()]) endLocal(tokenHash);
    },
  };
}
