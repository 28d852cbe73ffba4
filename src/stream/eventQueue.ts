/** How many undelivered items one iterator may hold before the stream fails. */
export const MAX_QUEUED_ITEMS = 100_000;

/**
 * A push-to-pull bridge: the stream pushes items as they happen, one consumer pulls them with
 * `for await`. Items are held only while not yet pulled, as pushed (`Stored`), and turned into
 * what the consumer gets (`unpack`) when it pulls them. Ending drains what is buffered first; a
 * failure is delivered once, after the buffered items.
 */
export class EventQueue<T, Stored = T> implements AsyncIterableIterator<T> {
  #items: Stored[] = [];
  #head = 0;
  #waiting: Array<{ resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void }> = [];
  #ended = false;
  #failure: { error: unknown } | undefined;
  readonly #onReturn: () => void;
  readonly #unpack: (item: Stored) => T;

  /**
   * `onReturn` runs when the consumer stops early (a `break` out of `for await`); `unpack`
   * turns a pushed item into what the consumer gets, when it gets it (default: as pushed).
   */
  constructor(onReturn: () => void, unpack: (item: Stored) => T = (item) => item as unknown as T) {
    this.#onReturn = onReturn;
    this.#unpack = unpack;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: Stored): void {
    if (this.#ended) return;
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) waiter.resolve({ value: this.#unpack(item), done: false });
    else this.#items.push(item);
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const waiter of this.#waiting.splice(0)) waiter.resolve({ value: undefined, done: true });
  }

  fail(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#failure = { error };
    const [first, ...rest] = this.#waiting.splice(0);
    if (first !== undefined) {
      this.#failure = undefined;
      first.reject(error);
    }
    for (const waiter of rest) waiter.resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#items.length) {
      const value = this.#unpack(this.#items[this.#head]!);
      // Release the reference so consumed items can be collected; compact now and then.
      (this.#items as Array<Stored | undefined>)[this.#head++] = undefined;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#failure !== undefined) {
      const { error } = this.#failure;
      this.#failure = undefined;
      return Promise.reject(error);
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.#ended) {
      this.#ended = true;
      this.#items = [];
      this.#head = 0;
      for (const waiter of this.#waiting.splice(0)) waiter.resolve({ value: undefined, done: true });
      this.#onReturn();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
