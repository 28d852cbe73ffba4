import { RestatePromise, type Context } from '@restatedev/restate-sdk';

/** A journaled operation the driver waits for, and what to do with its result. */
interface PendingStep {
  readonly promise: RestatePromise<unknown>;
  settle(value: unknown): void;
}

/** How a step ended, as the race reports it. */
interface Settled {
  id: number;
  value: unknown;
  failure: unknown;
}

/**
 * The one place a durable actor waits. Each invoked actor of the chart registers its journaled
 * operation here (`ctx.run`, `ctx.sleep`, a signal) instead of awaiting it itself, and the driver
 * settles one operation at a time, the first of them to complete by Restate's journal
 * (`RestatePromise.race`). Why not let each actor `await` its own promise: on a replay, every
 * operation that completed is already known, and plain awaits would hand their results to the
 * chart in the order the actors subscribed — not the order they happened — so a deadline that
 * fired after a stream ended could be seen first, and the handler would take another path than
 * the journal recorded. Restate's combinators are recorded: a race settles the same way on
 * every replay.
 *
 * @internal
 */
export class StepJournal {
  readonly #ctx: Context;
  readonly #pending = new Map<number, PendingStep>();
  #nextId = 0;
  #sequence = 0;

  readonly #within: <T>(work: () => T) => T;

  /** `within` runs each step's work (a trace makes its span the active one there). */
  constructor(ctx: Context, within: <T>(work: () => T) => T = (work) => work()) {
    this.#ctx = ctx;
    this.#within = within;
  }

  /**
   * A number that is the same for the same step on every execution of the handler (steps are
   * started in the chart's order, which the journal fixes): what request keys are made from.
   */
  nextSequence(): number {
    return this.#sequence++;
  }

  /**
   * Registers `promise` (a journaled operation) and resolves the returned promise with its value
   * once the driver settles it. `drop` forgets it (its actor stopped): its result is ignored.
   */
  wait<T>(promise: RestatePromise<T>): { result: Promise<T>; drop: () => void } {
    const id = this.#nextId++;
    let settle!: (value: unknown) => void;
    const result = new Promise<T>((resolve) => {
      settle = resolve as (value: unknown) => void;
    });
    this.#pending.set(id, { promise, settle });
    return { result, drop: () => this.#pending.delete(id) };
  }

  /** Runs `action` as a journaled step (its result recorded once, replayed after) and waits for it. */
  run<T>(name: string, action: () => Promise<T>): { result: Promise<T>; drop: () => void } {
    return this.wait(this.#ctx.run(name, () => this.#within(action)));
  }

  /** Whether any operation is waited for. */
  get idle(): boolean {
    return this.#pending.size === 0;
  }

  /**
   * Waits for the first registered operation to complete (by the journal's order), hands its
   * result to whoever registered it, and returns. A failed operation (only a signal rejected
   * by its sender, or an invocation cancelled through Restate) rejects.
   */
  async settleNext(): Promise<void> {
    const entries = [...this.#pending.entries()];
    const first = await RestatePromise.race(
      entries.map(([id, step]) => step.promise.map((value, failure): Settled => ({ id, value, failure }))),
    );
    const step = this.#pending.get(first.id);
    this.#pending.delete(first.id);
    if (first.failure !== undefined) throw first.failure;
    step?.settle(first.value);
  }
}
