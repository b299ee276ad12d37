import type { Operation, SubscriptionForwarder } from '@urql/core';
import { TransportUnavailableError } from '../api/errors.ts';
import type { SubscriptionTransport, TransportHooks } from './types.ts';

/** How live events reach the client, best first. */
export type TransportMode = 'ws' | 'sse' | 'polling';

/**
 * - `idle`: nothing on screen needs live events.
 * - `connecting`: the first connection is being made.
 * - `online`: events are flowing (or, when polling, the last poll worked).
 * - `reconnecting`: a connection was lost and is being remade.
 * - `offline`: the server cannot be reached at all; still retrying.
 */
export type LinkState = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'offline';

export interface ConnectionStatus {
  readonly mode: TransportMode;
  readonly state: LinkState;
}

declare module '@urql/core' {
  interface OperationContext {
    /**
     * Called when a subscription's transport completes it. The follower resubscribes,
     * since `stageProgress` never completes on its own.
     */
    onStreamEnd?: () => void;
  }
}

export interface ConnectionOptions {
  /** Builds each transport with the hooks that report into this manager. */
  transports: {
    ws: (hooks: TransportHooks) => SubscriptionTransport;
    sse: (hooks: TransportHooks) => SubscriptionTransport;
  };
  /** Tries a WebSocket handshake; used to move back up from a fallback. */
  probeWebSocket: () => Promise<boolean>;
  /** The server refused the token on a live connection. */
  onUnauthorized: () => void;
  /**
   * Consecutive connection attempts of one transport that end before opening, after
   * which the next transport (ws → sse → polling) is used.
   * @default 2
   */
  failuresBeforeFallback?: number;
  /**
   * While on SSE or polling, how often to try WebSockets again.
   * @default 15_000
   */
  upgradeIntervalMs?: number;
  /** @default 'ws' */
  initialMode?: TransportMode;
}

export interface Connection {
  readonly status: ConnectionStatus;
  /** Calls the listener now and on every change; returns the unsubscribe function. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /** For urql's `subscriptionExchange`: routes to the transport of the current mode. */
  readonly forwardSubscription: SubscriptionForwarder;
  /** Declares that live events are wanted (a project is open); returns the release. */
  retain(): () => void;
  /** An HTTP request to the API failed at the network level. */
  reportOffline(): void;
  /** Result of a poll (polling mode). */
  reportPoll(ok: boolean): void;
  dispose(): void;
}

const NEXT_MODE: Record<TransportMode, TransportMode> = { ws: 'sse', sse: 'polling', polling: 'polling' };

export function createConnection(options: ConnectionOptions): Connection {
  const failuresBeforeFallback = options.failuresBeforeFallback ?? 2;
  const upgradeIntervalMs = options.upgradeIntervalMs ?? 15_000;
  let status: ConnectionStatus = { mode: options.initialMode ?? 'ws', state: 'idle' };
  let failures = 0;
  let demand = 0;
  let everOnline = false;
  let upgradeTimer: ReturnType<typeof setInterval> | undefined;
  let probing = false;
  let disposed = false;
  const listeners = new Set<(status: ConnectionStatus) => void>();

  function set(next: Partial<ConnectionStatus>): void {
    const merged = { ...status, ...next };
    if (demand === 0 && merged.state !== 'idle' && next.state !== undefined) merged.state = 'idle';
    if (merged.mode === status.mode && merged.state === status.state) return;
    status = merged;
    if (status.state === 'online') everOnline = true;
    scheduleUpgrade();
    for (const listener of listeners) listener(status);
  }

  function scheduleUpgrade(): void {
    const wanted = status.mode !== 'ws' && demand > 0 && !disposed;
    if (wanted && upgradeTimer === undefined) upgradeTimer = setInterval(() => void tryUpgrade(), upgradeIntervalMs);
    if (!wanted && upgradeTimer !== undefined) {
      clearInterval(upgradeTimer);
      upgradeTimer = undefined;
    }
  }

  async function tryUpgrade(): Promise<void> {
    if (probing || status.mode === 'ws') return;
    probing = true;
    try {
      const ok = await options.probeWebSocket();
      // Re-read: the status may have changed while the probe ran.
      const now: ConnectionStatus = status;
      if (disposed || now.mode === 'ws') return;
      failures = 0;
      if (ok) set({ mode: 'ws', state: 'reconnecting' });
      // WebSockets are still blocked: give SSE another chance before polling on.
      else if (now.mode === 'polling' && now.state === 'online') set({ mode: 'sse', state: 'reconnecting' });
    } finally {
      probing = false;
    }
  }

  function hooksFor(mode: Exclude<TransportMode, 'polling'>): TransportHooks {
    return {
      opened() {
        if (status.mode !== mode) return;
        failures = 0;
        set({ state: 'online' });
      },
      failed() {
        if (status.mode !== mode) return;
        failures += 1;
        if (failures >= failuresBeforeFallback) {
          failures = 0;
          set({ mode: NEXT_MODE[mode], state: everOnline ? 'reconnecting' : 'connecting' });
        } else {
          set({ state: everOnline ? 'reconnecting' : 'connecting' });
        }
      },
      dropped() {
        if (status.mode !== mode) return;
        set({ state: 'reconnecting' });
      },
      unauthorized() {
        options.onUnauthorized();
      },
    };
  }

  const transports = {
    ws: options.transports.ws(hooksFor('ws')),
    sse: options.transports.sse(hooksFor('sse')),
  };

  const forwardSubscription: SubscriptionForwarder = (request, operation: Operation) => ({
    subscribe(sink) {
      const mode = status.mode;
      if (mode === 'polling') {
        queueMicrotask(() => sink.error(new TransportUnavailableError('Live transports are unavailable; polling')));
        return { unsubscribe() {} };
      }
      const unsubscribe = transports[mode].subscribe(request, {
        next: (result) => sink.next(result),
        error: (error) => sink.error(error),
        complete: () => {
          operation.context.onStreamEnd?.();
          sink.complete();
        },
      });
      return { unsubscribe };
    },
  });

  const onBrowserOnline = () => {
    // The network is back: try the best transport again right away.
    if (status.mode !== 'ws') void tryUpgrade();
  };
  globalThis.addEventListener?.('online', onBrowserOnline);

  return {
    get status() {
      return status;
    },
    onStatus(listener) {
      listeners.add(listener);
      listener(status);
      return () => listeners.delete(listener);
    },
    forwardSubscription,
    retain() {
      demand += 1;
      if (demand === 1) set({ state: 'connecting' });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        demand -= 1;
        if (demand === 0) set({ state: 'idle' });
      };
    },
    reportOffline() {
      set({ state: 'offline' });
    },
    reportPoll(ok) {
      if (status.mode !== 'polling') return;
      if (ok && status.state === 'offline') void tryUpgrade();
      set({ state: ok ? 'online' : 'offline' });
    },
    dispose() {
      disposed = true;
      scheduleUpgrade();
      globalThis.removeEventListener?.('online', onBrowserOnline);
      transports.ws.dispose();
      transports.sse.dispose();
      listeners.clear();
    },
  };
}
