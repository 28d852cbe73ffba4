/**
 * Text pushed in by a producer (a WebSocket's messages) and read by one consumer (a stream's
 * source) as an async iterable: what was pushed before the consumer asked waits in order. After
 * {@link end} the consumer reads what is left, then the end; after {@link fail}, then the error.
 * Once the consumer stops (returns early), pushes are dropped.
 *
 * @example
 * ```ts
 * const source = new PushSource();
 * source.push('{"type":"response.created",…}\n');
 * source.end();
 * for await (const text of source) process.stdout.write(text);
 * ```
 */
export class PushSource implements AsyncIterable<string> {
  #queue: string[] = [];
  #waiting: ((result: IteratorResult<string>) => void) | undefined;
  #failWaiting: ((error: unknown) => void) | undefined;
  #ended = false;
  #error: { thrown: unknown } | undefined;
  #stopped = false;

  /** Whether the consumer stopped reading (nothing pushed now is read). */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Adds text for the consumer. */
  push(text: string): void {
    if (this.#stopped || this.#ended || this.#error !== undefined) return;
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#release();
      waiting({ value: text, done: false });
    } else this.#queue.push(text);
  }

  /** No more text: the consumer reads the rest, then the end. */
  end(): void {
    if (this.#ended || this.#error !== undefined) return;
    this.#ended = true;
    const waiting = this.#waiting;
    this.#release();
    waiting?.({ value: undefined, done: true });
  }

  /** The producer failed: the consumer reads the rest, then `thrown` is thrown. */
  fail(thrown: unknown): void {
    if (this.#ended || this.#error !== undefined) return;
    this.#error = { thrown };
    const fail = this.#failWaiting;
    this.#release();
    fail?.(thrown);
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    return {
      next: () => {
        const text = this.#queue.shift();
        if (text !== undefined) return Promise.resolve({ value: text, done: false });
        if (this.#error !== undefined) return Promise.reject(this.#error.thrown);
        if (this.#ended || this.#stopped) return Promise.resolve({ value: undefined, done: true });
        return new Promise<IteratorResult<string>>((resolve, reject) => {
          this.#waiting = resolve;
          this.#failWaiting = reject;
        });
      },
      return: () => {
        this.#stopped = true;
        this.#queue = [];
        const waiting = this.#waiting;
        this.#release();
        waiting?.({ value: undefined, done: true });
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  #release(): void {
    this.#waiting = undefined;
    this.#failWaiting = undefined;
  }
}
