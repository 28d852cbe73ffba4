import type { StorageEngine, StorageOp } from './engine.ts';

interface Waiter {
  /** The writes it waits for: those queued before it, after the first `from`. */
  from: number;
  upTo: number;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The ordered write-behind of the working set: changes are queued synchronously (so route and
 * executor code stays synchronous), and written in order, every write that queued up while the
 * previous one ran going in one transaction. {@link flushed} resolves once everything queued
 * before it is committed: a response that changed something waits for it (see docs/design.md).
 *
 * @example
 * ```ts
 * queue.enqueue({ type: 'put', kind: 'assistant', parent: '', id, root: id, data, tenant: 'default' });
 * await queue.flushed();
 * ```
 */
export class PersistenceQueue {
  readonly #engine: StorageEngine;
  readonly #onError: (error: unknown) => void;
  #pending: StorageOp[] = [];
  #enqueued = 0;
  #committed = 0;
  #writing = false;
  #waiters: Waiter[] = [];
  /** Failed batches (by their range of writes) that a waiter may still cover. */
  #failures: Array<{ start: number; end: number; error: unknown }> = [];

  constructor(engine: StorageEngine, onError: (error: unknown) => void) {
    this.#engine = engine;
    this.#onError = onError;
  }

  /** Queues one write. */
  enqueue(op: StorageOp): void {
    this.#pending.push(op);
    this.#enqueued += 1;
    if (!this.#writing) {
      this.#writing = true;
      // Writes queued in the same turn of the event loop go in one transaction (a macrotask,
      // not a microtask: a route's changes and the Idempotency-Key answer the middleware
      // queues after it, a few promise hops later, commit together).
      setImmediate(() => void this.#drain());
    }
  }

  /** Resolves when every write queued so far is committed; rejects if one of them failed. */
  flushed(): Promise<void> {
    const upTo = this.#enqueued;
    if (this.#committed >= upTo) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.#waiters.push({ from: this.#committed, upTo, resolve, reject }));
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      const start = this.#committed;
      try {
        await this.#engine.write(batch);
      } catch (error) {
        this.#failures.push({ start, end: start + batch.length, error });
        this.#onError(error);
      }
      // Held-back run events go out now (after a failed write too: a stream must not hang).
      for (const op of batch) if (op.type === 'event') op.committed?.();
      this.#committed += batch.length;
      this.#waiters = this.#waiters.filter((waiter) => {
        if (waiter.upTo > this.#committed) return true;
        // A waiter whose writes include a failed batch learns it failed, even if later ones did not.
        const failure = this.#failures.find((failed) => failed.start < waiter.upTo && failed.end > waiter.from);
        if (failure === undefined) waiter.resolve();
        else waiter.reject(failure.error);
        return false;
      });
      const oldest = Math.min(this.#committed, ...this.#waiters.map((waiter) => waiter.from));
      this.#failures = this.#failures.filter((failed) => failed.end > oldest);
    }
    this.#writing = false;
  }
}
