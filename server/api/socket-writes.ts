// graphql-ws awaits every message's write completion before it sends the next one, so a
// subscription's messages go out one syscall and one event-loop turn each (the profile of a
// 10,000-event replay: 43% of the CPU in writev). Here a send is acknowledged at once while
// the socket's buffer is small, and the sends of one tick leave in one write (corked); past
// the buffer limit, acknowledgements wait for the writes again, so a slow reader still
// slows its subscription down instead of filling memory.
import type { WebSocket } from 'ws';

/** Bytes a socket may hold unsent before sends wait for their writes again. @default 1 MiB */
export const SEND_BUFFER_BYTES = 1024 * 1024;

type Send = WebSocket['send'];

export function batchSends(socket: WebSocket, limit = SEND_BUFFER_BYTES): void {
  const send = socket.send.bind(socket) as (data: unknown, cb?: (err?: Error) => void) => void;
  // ws's own underlying net.Socket (not part of its typed API, stable since ws 1).
  const raw = (socket as unknown as { _socket?: { cork(): void; uncork(): void; destroyed?: boolean } })._socket;
  let corked = false;
  const patched = (data: unknown, cbOrOptions?: unknown, maybeCb?: unknown) => {
    const cb = (typeof cbOrOptions === 'function' ? cbOrOptions : maybeCb) as ((err?: Error) => void) | undefined;
    if (typeof cbOrOptions === 'object' && cbOrOptions !== null) {
      // Options (binary, compress, ...): not what graphql-ws sends; pass through untouched.
      return (send as unknown as (d: unknown, o: unknown, c?: unknown) => void)(data, cbOrOptions, maybeCb);
    }
    if (raw && !corked && !raw.destroyed) {
      corked = true;
      raw.cork();
      process.nextTick(() => {
        corked = false;
        raw.uncork();
      });
    }
    if (!cb || socket.bufferedAmount > limit) return send(data, cb);
    send(data);
    queueMicrotask(() => cb());
  };
  socket.send = patched as unknown as Send;
}
