// What the subscribers record, the same for every transport and for ours and the raw
// baselines alike: messages, tokens, and each token's age. A token the bench wrote carries
// its birth time as `<µs of the monotonic clock>;` in the delta text; a delta of model
// text (no stamps) counts as one token.
import { nowUs, summarize, type Summary } from '../lib/stats.ts';

export interface SubState {
  ready: boolean;
  messages: number;
  tokens: number;
  firstTokenAt: number;
  completedAt: number;
  done: boolean;
}

export interface RecorderStats {
  messages: number;
  /** Events carrying a seq (the log's events; not the raw server's `ready` frame). */
  events: number;
  tokens: number;
  firstTokenAt: number;
  lastTokenAt: number;
  /** Token ages in ms. */
  ages: Summary;
  errors: number;
  firstError: string | null;
}

export function newSub(): SubState {
  return { ready: false, messages: 0, tokens: 0, firstTokenAt: 0, completedAt: 0, done: false };
}

export function createRecorder() {
  let messages = 0;
  let events = 0;
  let tokens = 0;
  let firstTokenAt = 0;
  let lastTokenAt = 0;
  let ages = new Float64Array(1 << 16);
  let ageCount = 0;
  let errors = 0;
  let firstError: string | null = null;

  const pushAge = (ms: number) => {
    if (ageCount === ages.length) {
      const grown = new Float64Array(ages.length * 2);
      grown.set(ages);
      ages = grown;
    }
    ages[ageCount++] = ms;
  };

  return {
    event(sub: SubState, ev: Record<string, unknown> | null | undefined): void {
      const now = nowUs();
      messages++;
      sub.messages++;
      sub.ready = true;
      if (!ev) return;
      if (typeof ev.seq === 'number') events++;
      const delta = ev.delta;
      if (typeof delta === 'string') {
        let stamped = 0;
        for (let start = 0; ; ) {
          const end = delta.indexOf(';', start);
          if (end < 0) break;
          const stamp = Number(delta.slice(start, end));
          if (stamp > 0) {
            pushAge((now - stamp) / 1000);
            stamped++;
          }
          start = end + 1;
        }
        const n = stamped || 1;
        tokens += n;
        sub.tokens += n;
        if (!sub.firstTokenAt) sub.firstTokenAt = now;
        if (!firstTokenAt) firstTokenAt = now;
        lastTokenAt = now;
      }
      if (ev.__typename === 'CompletedEvent') sub.completedAt = now;
    },
    error(sub: SubState | null, message: string): void {
      errors++;
      firstError ??= message;
      if (sub) sub.done = true;
    },
    reset(): void {
      messages = events = tokens = firstTokenAt = lastTokenAt = ageCount = errors = 0;
      firstError = null;
    },
    get tokens() {
      return tokens;
    },
    get events() {
      return events;
    },
    stats(): RecorderStats {
      return { messages, events, tokens, firstTokenAt, lastTokenAt, ages: summarize(ages.subarray(0, ageCount)), errors, firstError };
    },
  };
}

export type Recorder = ReturnType<typeof createRecorder>;
