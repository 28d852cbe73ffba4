// The SQL of remembered Idempotency-Keys, shared by both engines (they differ only in placeholders).
import type { KeyClaim, StorageOp } from './engine.ts';

type Statement = { sql: string; args: Array<string | number> };
const placeholders = (mark: '?' | '$') => (index: number) => (mark === '?' ? '?' : `$${index}`);

/**
 * When a claim's `pruneTo` says so: forget the expired keys, and the oldest past the bound.
 * `mark` is the engine's placeholder style (`?`; PostgreSQL numbers them).
 */
export function pruneStatements(claim: KeyClaim, mark: '?' | '$'): Statement[] {
  if (claim.pruneTo === undefined) return [];
  const at = placeholders(mark);
  return [
    { sql: `DELETE FROM idempotency_keys WHERE expires_at <= ${at(1)}`, args: [claim.now] },
    {
      sql: `DELETE FROM idempotency_keys WHERE ord <= (SELECT ord FROM idempotency_keys ORDER BY ord DESC LIMIT 1 OFFSET ${at(1)})`,
      args: [Math.max(0, claim.pruneTo - 1)],
    },
  ];
}

/**
 * Inserts the claimed key, or takes its row over if it has expired: the statement returns a
 * row only for the request that got the key (the unique key decides between racing servers).
 */
export function insertClaimStatement(claim: KeyClaim, mark: '?' | '$'): Statement {
  const at = placeholders(mark);
  return {
    sql: `INSERT INTO idempotency_keys (key, fingerprint, expires_at, owner, answer) VALUES (${at(1)}, ${at(2)}, ${at(3)}, ${at(4)}, NULL)
      ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, expires_at = excluded.expires_at, owner = excluded.owner, answer = NULL
      WHERE idempotency_keys.expires_at <= ${at(5)}
      RETURNING ord`,
    args: [claim.key, claim.fingerprint, claim.expiresAt, claim.owner, claim.now],
  };
}

/** The SQL of the key writes that go through the queue (`?` or numbered placeholders). */
export function keyStatement(op: Extract<StorageOp, { type: 'keepKey' | 'forgetKey' }>, mark: '?' | '$'): Statement {
  const at = placeholders(mark);
  switch (op.type) {
    case 'keepKey':
      // Only the request that claimed the key answers it (a key taken over stays the new owner's).
      return {
        sql: `INSERT INTO idempotency_keys (key, fingerprint, expires_at, owner, answer) VALUES (${at(1)}, ${at(2)}, ${at(3)}, ${at(4)}, ${at(5)})
          ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, expires_at = excluded.expires_at, answer = excluded.answer
          WHERE idempotency_keys.owner = excluded.owner`,
        args: [op.key, op.fingerprint, op.expiresAt, op.owner, op.answer],
      };
    case 'forgetKey':
      return { sql: `DELETE FROM idempotency_keys WHERE key = ${at(1)} AND owner = ${at(2)} AND answer IS NULL`, args: [op.key, op.owner] };
  }
}
