// Small async primitives for the followers.

/** Wakes one waiting consumer when a producer pushes; `wait` resolves false on timeout. */
export function createWaker() {
  let pending: ((woken: boolean) => void) | null = null;
  let signalled = false;
  return {
    wake() {
      if (pending) {
        const resolve = pending;
        pending = null;
        resolve(true);
      } else {
        signalled = true;
      }
    },
    wait(timeoutMs: number, signal: AbortSignal): Promise<boolean> {
      if (signalled) {
        signalled = false;
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const done = (woken: boolean) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          pending = null;
          resolve(woken);
        };
        const onAbort = () => done(false);
        const timer = setTimeout(() => done(false), timeoutMs);
        signal.addEventListener('abort', onAbort, { once: true });
        pending = done;
      });
    },
  };
}

/**
 * Wraps an async generator so that `return()` from the consumer (a client unsubscribing)
 * aborts the signal first: a generator parked in an await would otherwise only see the
 * return at its next yield, which on a quiet stream may be never.
 */
export function abortable<T>(make: (signal: AbortSignal) => AsyncGenerator<T>): AsyncGenerator<T> {
  const controller = new AbortController();
  const gen = make(controller.signal);
  const wrapper: AsyncGenerator<T> = {
    next: (...args) => gen.next(...args),
    return: (value) => {
      controller.abort();
      return gen.return(value as T);
    },
    throw: (err) => {
      controller.abort();
      return gen.throw(err);
    },
    [Symbol.asyncIterator]() {
      return wrapper;
    },
  };
  return wrapper;
}
