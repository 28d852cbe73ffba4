import { APIUserAbortError, type RetryClock } from '../../src/index.ts';

/** A retry clock whose waits pass at once and are recorded: tests assert the waits asked for. */
export interface FakeClock extends RetryClock {
  /** Every wait asked for, in ms, in order. */
  readonly waits: number[];
}

/**
 * A {@link RetryClock} for tests: no real time passes, `random` is fixed (0 means no jitter)
 * and `now` is a fixed instant. An aborted signal still rejects, as the real one does.
 */
export function fakeClock({ random = 0, now = Date.parse('2026-01-01T00:00:00Z') }: { random?: number; now?: number } = {}): FakeClock {
  const waits: number[] = [];
  return {
    waits,
    async sleep(ms, signal) {
      waits.push(ms);
      if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason });
    },
    now: () => now,
    random: () => random,
  };
}
