/**
 * One active run per thread, within this process: the server refuses a second run on a thread
 * while one is active, so runs started through `createAssistantRun` wait their turn here.
 * Across processes nothing is shared: a run started while another process's run is active on
 * the same thread is refused by the server (a 400), and the actor fails with that error.
 */

type Waiter = { granted: boolean; grant: () => void };

// Keyed by backend and thread: two clients of the same server share a thread's queue.
const queues = new Map<string, Waiter[]>();

/**
 * Queues for `key` and calls `grant` once every earlier holder released it (at once if none);
 * returns the release, which also leaves the queue when called before the grant.
 *
 * @example `const release = acquireThread(`${client.baseURL} ${threadId}`, () => start()); … release();`
 */
export function acquireThread(key: string, grant: () => void): () => void {
  const queue = queues.get(key) ?? [];
  queues.set(key, queue);
  const waiter: Waiter = { granted: false, grant };
  queue.push(waiter);
  if (queue.length === 1) {
    waiter.granted = true;
    grant();
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const index = queue.indexOf(waiter);
    if (index !== -1) queue.splice(index, 1);
    if (queue.length === 0) {
      if (queues.get(key) === queue) queues.delete(key);
      return;
    }
    const next = queue[0]!;
    if (!next.granted) {
      next.granted = true;
      next.grant();
    }
  };
}

/** How many runs hold or wait for `key` (for tests). @internal */
export function threadQueueLength(key: string): number {
  return queues.get(key)?.length ?? 0;
}
