import { describe, expect, it, vi } from 'vitest';
import { createConnection, type ConnectionStatus } from '../../client/src/lib/transport/connection.ts';
import type { SubscriptionTransport, TransportHooks } from '../../client/src/lib/transport/types.ts';

function fakeTransports() {
  const hooks: { ws?: TransportHooks; sse?: TransportHooks } = {};
  const transport = (): SubscriptionTransport => ({ subscribe: () => () => {}, dispose: () => {} });
  return {
    hooks,
    transports: {
      ws: (h: TransportHooks) => ((hooks.ws = h), transport()),
      sse: (h: TransportHooks) => ((hooks.sse = h), transport()),
    },
  };
}

describe('connection manager', () => {
  it('falls back from WebSocket to SSE to polling after repeated failures to connect', () => {
    const { hooks, transports } = fakeTransports();
    const connection = createConnection({ transports, probeWebSocket: async () => false, onUnauthorized: () => {} });
    const seen: ConnectionStatus[] = [];
    connection.onStatus((s) => seen.push(s));
    const release = connection.retain();
    expect(connection.status).toEqual({ mode: 'ws', state: 'connecting' });

    hooks.ws!.failed();
    expect(connection.status.mode).toBe('ws');
    hooks.ws!.failed();
    expect(connection.status.mode).toBe('sse');
    hooks.sse!.opened();
    expect(connection.status).toEqual({ mode: 'sse', state: 'online' });
    hooks.sse!.dropped();
    expect(connection.status).toEqual({ mode: 'sse', state: 'reconnecting' });
    hooks.sse!.failed();
    hooks.sse!.failed();
    expect(connection.status.mode).toBe('polling');
    connection.reportPoll(true);
    expect(connection.status).toEqual({ mode: 'polling', state: 'online' });
    connection.reportPoll(false);
    expect(connection.status.state).toBe('offline');

    release();
    expect(connection.status.state).toBe('idle');
    connection.dispose();
  });

  it('goes back to WebSocket when a probe succeeds', async () => {
    vi.useFakeTimers();
    try {
      const { hooks, transports } = fakeTransports();
      const probe = vi.fn(async () => true);
      const connection = createConnection({ transports, probeWebSocket: probe, onUnauthorized: () => {}, upgradeIntervalMs: 1000 });
      connection.retain();
      hooks.ws!.failed();
      hooks.ws!.failed();
      expect(connection.status.mode).toBe('sse');
      await vi.advanceTimersByTimeAsync(1000);
      expect(probe).toHaveBeenCalled();
      expect(connection.status.mode).toBe('ws');
      connection.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports a refused token', () => {
    const { hooks, transports } = fakeTransports();
    const onUnauthorized = vi.fn();
    const connection = createConnection({ transports, probeWebSocket: async () => false, onUnauthorized });
    hooks.ws!.unauthorized();
    expect(onUnauthorized).toHaveBeenCalledOnce();
    connection.dispose();
  });
});
