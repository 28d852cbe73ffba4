/**
 * Restate's SDK (1.17) calls `Promise.withResolvers`, which Node 20 lacks (it came with Node 22):
 * without it every invocation fails inside the SDK. This installs the standard's definition when
 * it is missing — and only then — so the adapter runs on every Node the package supports.
 *
 * @internal
 */
export function ensurePromiseWithResolvers(): void {
  if (typeof (Promise as { withResolvers?: unknown }).withResolvers === 'function') return;
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor) {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
