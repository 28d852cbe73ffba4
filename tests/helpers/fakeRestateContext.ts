// A Restate object context in memory, for `npm test` (the real restate-server is the Restate
// suite's, `npm run test:restate`). It keeps what the handler's journal would: each `ctx.run`,
// `ctx.date.now` and `ctx.sleep` is a command at the position the handler issued it, completed
// when its work ends. A later attempt on the same journal replays it as Restate does — a command
// the journal completed gives its recorded value without running its closure; one it did not
// (the attempt died inside it) runs again — and `isProcessing()` is false while commands are
// replayed. What it leaves out: completions are delivered in the order plain promises settle
// (Restate delivers them in the journal's order: fine for a run with one step in flight at a
// time, which is what the tests drive), object state is a shared map (not journaled commands), and
// signals never arrive.
import { RestatePromise, type ObjectContext } from '@restatedev/restate-sdk';

/** One command of the journal: its name, and its value once completed. */
export interface FakeJournalEntry {
  name: string;
  completed: boolean;
  value?: unknown;
}

/** What outlives an attempt: the journal and the object's state. */
export interface FakeInvocation {
  invocationId: string;
  key: string;
  journal: FakeJournalEntry[];
  state: Map<string, unknown>;
  /** The headers the invocation reached the ingress with (`traceparent`). */
  headers: Map<string, string>;
}

/** One attempt: its context, whether it died, and how to end it as Restate would. */
export interface FakeAttempt {
  ctx: ObjectContext;
  /** True once `dieAfter` said so: nothing it does afterwards completes or is recorded. */
  readonly dead: boolean;
  /** How many closures of `ctx.run` this attempt executed (not replayed). */
  readonly executed: string[];
  /** Aborts `attemptCompletedSignal` (Restate ended the attempt). */
  complete(): void;
}

/** A new invocation of `key`, with an empty journal. */
export function fakeInvocation(key: string, headers: Record<string, string> = {}): FakeInvocation {
  return { invocationId: `inv_fake${Math.random().toString(36).slice(2, 10)}`, key, journal: [], state: new Map(), headers: new Map(Object.entries(headers)) };
}

const never = <T>() => RestatePromise.resolve(new Promise<T>(() => {}));

/**
 * An attempt of `invocation`: replays its journal, then records. `dieAfter(journal)` is asked
 * after each completion is recorded: true kills the attempt there (as a SIGKILL right after
 * Restate journaled it): no promise of it settles again, and no later command completes.
 */
export function fakeAttempt(invocation: FakeInvocation, dieAfter: (journal: readonly FakeJournalEntry[]) => boolean = () => false): FakeAttempt {
  const { journal } = invocation;
  const replayable = journal.length;
  const completed = new AbortController();
  const executed: string[] = [];
  let issued = 0;
  let dead = false;

  const command = <T>(name: string, work: () => Promise<T>): RestatePromise<T> => {
    if (dead) return never<T>();
    const index = issued++;
    const recorded = journal[index];
    if (recorded !== undefined && recorded.name !== name) throw new Error(`journal mismatch at ${index}: recorded ${recorded.name}, issued ${name}`);
    if (recorded?.completed) return RestatePromise.resolve(recorded.value as T);
    const entry = recorded ?? { name, completed: false };
    if (recorded === undefined) journal.push(entry);
    return RestatePromise.resolve(
      new Promise<T>((resolve, reject) => {
        setImmediate(() => {
          executed.push(name);
          work().then(
            (value) => {
              if (dead) return;
              // What Restate records: the value as JSON.
              entry.value = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
              entry.completed = true;
              if (dieAfter(journal)) {
                dead = true;
                return;
              }
              resolve(entry.value as T);
            },
            (error: unknown) => {
              if (!dead) reject(error);
            },
          );
        });
      }),
    );
  };

  const ctx = {
    key: invocation.key,
    request: () => ({
      id: invocation.invocationId,
      headers: invocation.headers,
      attemptHeaders: new Map<string, string>(),
      attemptCompletedSignal: completed.signal,
      target: { service: 'assistantThread', handler: 'run', key: invocation.key },
      body: new Uint8Array(),
      extraArgs: [],
    }),
    run: (name: string, action: () => Promise<unknown>) => command(name, action),
    date: { now: () => command('now', async () => Date.now()), toJSON: () => command('now', async () => new Date().toJSON()) },
    sleep: (ms: number, name = 'sleep') => command(name, () => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    signal: () => never(),
    get: async (name: string) => invocation.state.get(name) ?? null,
    set: (name: string, value: unknown) => void invocation.state.set(name, value),
    clear: (name: string) => void invocation.state.delete(name),
    console,
    // Processing once every recorded command was issued again (nothing left to replay).
    isProcessing: () => issued >= replayable,
  };
  return {
    ctx: ctx as unknown as ObjectContext,
    get dead() {
      return dead;
    },
    executed,
    complete: () => completed.abort(),
  };
}
