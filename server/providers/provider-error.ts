// The one error a provider raises. `retryable` decides between another attempt and
// failing for good: 429, 5xx and network faults can pass; the rest cannot. `message` is what
// users see (a fixed sentence, never the provider's own words); `detail` is for the logs.
export class ProviderError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    /** The provider asked us to wait this long before trying again (HTTP retry-after). */
    readonly retryAfterMs?: number,
    /** What the provider said (its error body, the network error): logged, never shown to users. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** Raised when the task's signal aborts the provider call (cancel, or the worker lost the task). */
export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortedError';
  }
}
