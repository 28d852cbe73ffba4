/** What `/readyz` checked. */
export interface Readiness {
  /** Whether the server takes requests: storage answers, a model is configured, not shutting down. */
  ready: boolean;
  checks: {
    /** `memory` (no database), `ok`, or why the database did not answer. */
    storage: string;
    /** `scripted`, `custom` (a `Model` object) or `live <origin>` (the model API it is configured for). */
    model: string;
    /** `embeddings <model>` when semantic file search is configured; else `none`. */
    embeddings: string;
    /** True once a graceful shutdown has begun. */
    draining: boolean;
  };
}

/** How the server checks its own readiness. */
export interface ReadinessSources {
  /** Rejects unless the database answers now; undefined: in memory. */
  ping: (() => Promise<void>) | undefined;
  model: string;
  embeddings: string;
  draining: () => boolean;
}

/**
 * Checks readiness: the database answers a trivial query within `timeoutMs`, a model is
 * configured (the live model API is not called: a probe every few seconds must not cost
 * tokens or its rate limit), and no graceful shutdown has begun.
 *
 * @example `const { ready } = await checkReadiness({ ping: () => storage.ping(), model: 'scripted', embeddings: 'none', draining: () => false });`
 */
export async function checkReadiness(sources: ReadinessSources, timeoutMs = 2_000): Promise<Readiness> {
  let storage = 'memory';
  if (sources.ping !== undefined) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        sources.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      storage = 'ok';
    } catch (error) {
      storage = `unreachable: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      clearTimeout(timer);
    }
  }
  const draining = sources.draining();
  return { ready: (storage === 'ok' || storage === 'memory') && !draining, checks: { storage, model: sources.model, embeddings: sources.embeddings, draining } };
}
