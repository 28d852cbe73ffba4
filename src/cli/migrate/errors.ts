/** What went wrong in a migration, by kind. */
export type MigrationErrorKind =
  /** The source cannot list its threads (no `GET /threads`): name them with `--threads`. */
  | 'no-thread-list'
  /** A conversation the journal names is not the thread's (its metadata names another thread). */
  | 'mapping-mismatch'
  /** A conversation holds the thread's items out of order (some deleted since?): it is left as it is. */
  | 'conversation-diverged'
  /** The journal file cannot be read. */
  | 'journal';

/**
 * A migration that cannot go on as asked: `kind` says which case, the message what to do.
 *
 * @example `if (error instanceof MigrationError && error.kind === 'no-thread-list') console.error(error.message);`
 */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';

  constructor(
    readonly kind: MigrationErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
