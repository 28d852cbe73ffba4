import type { ServerContext } from '../context.ts';
import type { DurableKeys, KeptAnswer } from '../idempotency.ts';
import { streamResponseEvents } from '../responses/record.ts';
import { streamRunEvents, type StreamReference } from '../streaming.ts';
import { StorageError, type KeyClaim, type KeyEngine, type SharedDatabase } from './engine.ts';
import type { PersistenceQueue } from './queue.ts';

/** What {@link durableKeys} needs besides the database. */
export interface DurableKeysOptions {
  /** This server's id, recorded on the keys it claims. */
  owner: string;
  /** The bound on remembered keys (`idempotency.maxKeys`). */
  maxKeys: number;
  /** Several servers on one database: whether the server answering a key still runs. */
  shared: SharedDatabase | undefined;
  /** Opens a kept stream again (the server's runs and responses). */
  open(reference: StreamReference): Response | undefined;
}

/**
 * `Idempotency-Key`s in the database: a claim is one insert of a unique key (so of two servers
 * racing on a key, exactly one gets it); the answer is written through the ordered queue, so it
 * is committed with — never before — what the request changed, and before the client hears it.
 * An expired key counts as absent (a claim takes its row over); every `maxKeys / 100` claims
 * (and at a server's first), expired keys and the oldest past `maxKeys` are deleted, so the
 * table holds about 1% more than `maxKeys` at most. A key whose server is gone before
 * answering is taken over by the next retry.
 *
 * @example `app.use(idempotency(options, durableKeys(engine.keys, queue, { owner, maxKeys, shared, open })));`
 */
export function durableKeys(engine: KeyEngine, queue: PersistenceQueue, options: DurableKeysOptions): DurableKeys {
  const { owner, maxKeys, shared } = options;
  const pruneEvery = Math.max(1, Math.ceil(maxKeys / 100));
  let claims = 0;
  return {
    async claim(key, fingerprint, now, expiresAt) {
      const claim: KeyClaim = { key, fingerprint, now, expiresAt, owner, pruneTo: claims % pruneEvery === 0 ? maxKeys : undefined };
      claims += 1;
      const row = await engine.claimKey(claim);
      if (row === undefined) return undefined;
      // Claimed by a server that stopped before answering: its request never got an answer, so
      // this retry answers it (the same request only: another one is still a reused key).
      if (row.answer === null && row.owner !== owner && row.fingerprint === fingerprint && shared !== undefined && !(await shared.isAlive(row.owner))) {
        if (await engine.takeOverKey(claim, row.owner)) return undefined;
      }
      return { fingerprint: row.fingerprint, answer: row.answer === null ? undefined : parseAnswer(key, row.answer) };
    },
    keep(key, fingerprint, expiresAt, answer) {
      queue.enqueue({ type: 'keepKey', key, fingerprint, expiresAt, owner, answer: JSON.stringify(answer) });
    },
    forget(key) {
      queue.enqueue({ type: 'forgetKey', key, owner });
    },
    open: options.open,
  };
}

/**
 * Opens the stream a kept answer names: the run's log from its position, or the response's
 * events after its sequence number; undefined when the run or response is gone.
 *
 * @example `const response = openStreamReference(context, { type: 'run', threadId, runId, from: 0 });`
 */
export function openStreamReference(context: ServerContext, reference: StreamReference): Response | undefined {
  if (reference.type === 'run') {
    const executor = context.store.threads.get(reference.threadId)?.runs.get(reference.runId);
    return executor === undefined ? undefined : streamRunEvents(executor.log, reference.from, reference);
  }
  const record = context.responses.get(reference.responseId);
  return record === undefined ? undefined : streamResponseEvents(record, reference.startingAfter);
}

function parseAnswer(key: string, answer: string): KeptAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer);
  } catch (error) {
    throw new StorageError(`The database row of Idempotency-Key ${JSON.stringify(key)} has an answer that is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const type = (parsed as { type?: unknown } | null)?.type;
  if (type !== 'body' && type !== 'stream') {
    throw new StorageError(`The database row of Idempotency-Key ${JSON.stringify(key)} has an answer of unknown type ${JSON.stringify(type)} (expected 'body' or 'stream').`);
  }
  return parsed as KeptAnswer;
}
