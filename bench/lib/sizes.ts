// How big each scenario is: the full run (under 5 minutes on our 2-core machines),
// BENCH_QUICK=1 (about a minute: the same rows, fewer subscribers and events), or
// BENCH_SMOKE=1 (the smallest sizes that still produce every row: for the test that checks
// the bench runs; its figures mean little).

export interface Sizes {
  /** Tokens per side of the two micro rows. */
  microTokens: number;
  /** executeStage → first token, one user: runs measured, after the warm-up runs. */
  firstTokenRuns: number;
  firstTokenWarmup: number;
  /** Users starting a stage at once, and how long the bench waits for their first tokens. */
  crowdUsers: number;
  crowdCapMs: number;
  /** executeStage calls per database (one project each), with this many in flight, by so many users (who also own the streaming rows' tasks). */
  executeCalls: number;
  executeInFlight: number;
  executeUsers: number;
  /** Broadcast: subscribers of one task (first counted idle, for memory), events written, at this rate (events/s). */
  broadcastSubs: number;
  broadcastEvents: number;
  broadcastRate: number;
  /** One stream per subscriber: subscribers, seconds per rate step, the first rate tried (tokens/s). */
  streamSubs: number;
  streamStepSeconds: number;
  streamStartRate: number;
  /** The search stops doubling here. */
  streamMaxRate: number;
  /** Event age: streams (one subscriber each), total events/s, seconds. */
  ageStreams: number;
  ageRate: number;
  ageSeconds: number;
  /** Events in the replayed log, and runs per side (the median is reported). */
  replayEvents: number;
  replayRuns: number;
}

const FULL: Sizes = {
  microTokens: 5000,
  firstTokenRuns: 30,
  firstTokenWarmup: 5,
  crowdUsers: 100,
  crowdCapMs: 10_000,
  executeCalls: 300,
  executeInFlight: 32,
  executeUsers: 20,
  broadcastSubs: 1000,
  broadcastEvents: 50,
  broadcastRate: 2000,
  streamSubs: 1000,
  streamStepSeconds: 2,
  streamStartRate: 2000,
  streamMaxRate: 256_000,
  ageStreams: 50,
  ageRate: 5000,
  ageSeconds: 3,
  replayEvents: 10_000,
  replayRuns: 3,
};

const QUICK: Sizes = {
  ...FULL,
  microTokens: 1000,
  firstTokenRuns: 10,
  firstTokenWarmup: 2,
  crowdUsers: 50,
  crowdCapMs: 5000,
  executeCalls: 100,
  executeUsers: 10,
  broadcastSubs: 200,
  streamSubs: 200,
  streamStepSeconds: 1,
  streamStartRate: 1000,
  ageStreams: 20,
  ageSeconds: 1.5,
  replayRuns: 1,
};

const SMOKE: Sizes = {
  ...QUICK,
  microTokens: 200,
  firstTokenRuns: 3,
  firstTokenWarmup: 1,
  crowdUsers: 8,
  crowdCapMs: 2000,
  executeCalls: 20,
  executeInFlight: 8,
  executeUsers: 3,
  broadcastSubs: 20,
  broadcastEvents: 20,
  streamSubs: 20,
  streamStepSeconds: 0.5,
  streamMaxRate: 2000,
  ageStreams: 5,
  ageSeconds: 0.5,
  replayEvents: 2000,
};

export type Mode = 'full' | 'quick' | 'smoke';
export const MODE: Mode = process.env.BENCH_SMOKE === '1' ? 'smoke' : process.env.BENCH_QUICK === '1' ? 'quick' : 'full';
export const SIZES: Sizes = { full: FULL, quick: QUICK, smoke: SMOKE }[MODE];
