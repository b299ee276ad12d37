// Streams tokens to the event log without waiting on Redis per token: while one append is
// in flight, later tokens gather and go out together in the next one. A fast model thus
// costs fewer, larger events; a slow one still gets an event per token.

/** Whether `text` ends inside a UTF-16 surrogate pair (half an emoji, say). */
const endsWithHighSurrogate = (text: string) => {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff;
};

export interface TokenBatcher {
  /** Queues a delta; throws the last append's error (e.g. the lease was lost). */
  push(delta: string): void;
  /** Waits until every queued delta is appended. */
  flush(): Promise<void>;
}

export function createTokenBatcher(append: (text: string) => Promise<void>, onError: (err: unknown) => void): TokenBatcher {
  let pending = '';
  let inflight: Promise<void> | null = null;
  let failure: unknown = null;

  const send = (final: boolean) => {
    if (inflight || failure || pending === '') return;
    // Never cut a character in half: its two halves would each be invalid UTF-8.
    const hold = !final && endsWithHighSurrogate(pending) ? 1 : 0;
    const chunk = pending.slice(0, pending.length - hold);
    if (chunk === '') return;
    pending = pending.slice(chunk.length);
    inflight = append(chunk).then(
      () => {
        inflight = null;
        send(false);
      },
      (err) => {
        inflight = null;
        failure = err;
        onError(err);
      },
    );
  };

  return {
    push(delta) {
      if (failure) throw failure;
      pending += delta;
      send(false);
    },
    async flush() {
      for (;;) {
        if (failure) throw failure;
        if (inflight) await inflight;
        else if (pending !== '') send(true);
        else return;
      }
    },
  };
}
