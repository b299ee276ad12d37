// Speed and an honest estimate for a text stage while it streams. Each model token costs a
// counter increment and an array push (the batcher merges tokens into fewer events, so
// events are not counted); about once a second a tick turns the count into a ProgressEvent:
// tokens per second since the first token, the expected length of the answer, the
// progress (rising, below 100 until the task completes) and the seconds left.
//
// The expected length, best first:
// - structured answers (storyboard, camera shots): the units written so far, of how many
//   were asked, at the length the finished units took;
// - the median length of recent answers of the same stage, provider, model and language to
//   material of about the same length; those shorter than what is written drop out, so the
//   estimate converges as the answer grows;
// - what was asked (stages/expected-length.ts).
import type { TextSample } from '../observability/stage-history.ts';
import type { ProgressUpdate, TextRunInfo } from '../stages/stage.ts';

export interface TextMeter {
  /** The model call starts: reads the history (once) and starts ticking. */
  started(info: TextRunInfo): void;
  /** One model token arrived: O(1). */
  token(delta: string): void;
  /** Stops ticking; the attempt's speed and length, for the result and the history. */
  finish(): { tokensPerSecond: number | null; tokens: number; firstTokenMs: number | null; info: TextRunInfo | null };
}

/** Nearest runs by material length (log scale) an estimate is made from. */
const NEIGHBOURS = 7;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The answer lengths an estimate is made from: the nearest runs by material length, else what was asked. */
export function priorLengths(samples: readonly TextSample[], info: TextRunInfo): number[] {
  if (samples.length === 0) return [info.askedTokens];
  const distance = (s: TextSample) => Math.abs(Math.log(s.inputChars + 1) - Math.log(info.inputChars + 1));
  return [...samples].sort((a, b) => distance(a) - distance(b)).slice(0, NEIGHBOURS).map((s) => s.outputTokens);
}

/** The expected length given that `written` tokens are out: the prior lengths still ahead, or a little more than written. */
export function expectedLength(prior: readonly number[], written: number): number {
  const ahead = prior.filter((n) => n > written);
  return ahead.length > 0 ? median(ahead) : Math.ceil(written * 1.05) + 1;
}

/**
 * The expected length in characters of a structured answer from where its units start:
 * the text before the first, then every unit as long as the finished ones were on average.
 * Null until one unit is finished.
 */
export function expectedChars(starts: readonly number[], total: number): number | null {
  if (starts.length < 2) return null;
  const perUnit = (starts.at(-1)! - starts[0]!) / (starts.length - 1);
  return starts[0]! + total * perUnit;
}

export function createTextMeter(deps: {
  /** Recent runs like this one (same stage, provider, model, language). */
  history: (info: TextRunInfo) => Promise<TextSample[]>;
  emit: (update: ProgressUpdate) => Promise<void>;
  /** @default 1000 */
  intervalMs?: number;
  now?: () => number;
  /** A progress event could not be written (the attempt stops, as for any event). */
  onError?: (err: unknown) => void;
}): TextMeter {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  let info: TextRunInfo | null = null;
  let prior: number[] | null = null;
  let tokens = 0;
  let firstAt = 0;
  let lastAt = 0;
  let shown = 0;
  let timer: NodeJS.Timeout | null = null;
  let busy = false;
  // Structured answers: deltas since the last tick, characters before them, where each unit starts.
  let unseen: string[] = [];
  let chars = 0;
  let tail = '';
  const starts: number[] = [];

  // Over the whole attempt since its first token: a model (or a busy event loop) that stalls
  // and then catches up in a burst averages out; a short window would swing with it.
  const speed = (t: number): number | null => {
    const seconds = (t - firstAt) / 1000;
    return seconds >= 0.5 && tokens > 1 ? (tokens - 1) / seconds : null;
  };

  /** Finds the units begun since the last tick; O(text since then). */
  const scanUnits = (marker: string) => {
    const fresh = unseen.join('');
    unseen = [];
    const text = tail + fresh;
    const offset = chars - tail.length;
    for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, at + marker.length)) starts.push(offset + at);
    chars += fresh.length;
    tail = text.slice(-(marker.length - 1));
  };

  const expected = (): number => {
    const units = info?.units;
    if (units) {
      scanUnits(units.marker);
      const total = expectedChars(starts, units.total);
      if (total !== null && chars > 0) return Math.max(total * (tokens / chars), tokens * 1.02 + 1);
    }
    return expectedLength(prior ?? [info!.askedTokens], tokens);
  };

  const tick = async () => {
    if (busy || tokens === 0 || !info) return;
    const t = now();
    const tps = speed(t);
    const length = expected();
    shown = Math.max(shown, Math.min(99, Math.floor((100 * tokens) / length)));
    const round = (n: number) => Math.round(n * 10) / 10;
    busy = true;
    try {
      await deps.emit({
        progress: shown,
        tokensPerSecond: tps === null ? undefined : round(tps),
        etaSeconds: tps === null ? undefined : round(Math.max(0, length - tokens) / tps),
      });
    } catch (err) {
      deps.onError?.(err);
    } finally {
      busy = false;
    }
  };

  return {
    started(started) {
      info = started;
      // Without history (or when Redis cannot answer) the estimate starts from what was asked.
      deps.history(started).then(
        (samples) => (prior = priorLengths(samples, started)),
        () => {},
      );
      timer ??= setInterval(() => void tick(), deps.intervalMs ?? 1000);
      timer.unref();
    },
    token(delta) {
      tokens += 1;
      lastAt = now();
      if (tokens === 1) firstAt = lastAt;
      if (info?.units) unseen.push(delta);
    },
    finish() {
      if (timer) clearInterval(timer);
      timer = null;
      const seconds = (lastAt - firstAt) / 1000;
      return {
        tokensPerSecond: tokens > 1 && seconds > 0 ? Math.round(((tokens - 1) / seconds) * 10) / 10 : null,
        tokens,
        firstTokenMs: tokens > 0 ? firstAt - startedAt : null,
        info,
      };
    },
  };
}
