// The SQL of remembered Idempotency-Keys, shared by both engines (they differ only in placeholders).
import type { KeyClaim, StorageOp } from './engine.ts';

/**
 * The statements of a key claim, in one transaction: forget the expired keys (and the oldest
 * past the bound), then insert the key unless it exists — the insert returns a row only for the
 * request that got it. `mark` is the engine's placeholder style (`?`; PostgreSQL numbers them).
 */
export function claimStatements(claim: KeyClaim, mark: '?' | '$'): Array<{ sql: string; args: Array<string | number> }> {
  const at = (index: number) => (mark === '?' ? '?' : `$${index}`);
  const statements: Array<{ sql: string; args: Array<string | number> }> = [{ sql: `DELETE FROM idempotency_keys WHERE expires_at <= ${at(1)}`, args: [claim.now] }];
  if (claim.pruneTo !== undefined) {
    statements.push({
      sql: `DELETE FROM idempotency_keys WHERE ord <= (SELECT ord FROM idempotency_keys ORDER BY ord DESC LIMIT 1 OFFSET ${at(1)})`,
      args: [Math.max(0, claim.pruneTo - 1)],
    });
  }
  statements.push({
    sql: `INSERT INTO idempotency_keys (key, fingerprint, expires_at, owner, answer) VALUES (${at(1)}, ${at(2)}, ${at(3)}, ${at(4)}, NULL) ON CONFLICT (key) DO NOTHING RETURNING ord`,
    args: [claim.key, claim.fingerprint, claim.expiresAt, claim.owner],
  });
  return statements;
}

/** The SQL of the key writes that go through the queue (`?` or numbered placeholders). */
export function keyStatement(op: Extract<StorageOp, { type: 'keepKey' | 'forgetKey' | 'forgetPendingKeys' }>, mark: '?' | '$'): { sql: string; args: Array<string | number> } {
  const at = (index: number) => (mark === '?' ? '?' : `$${index}`);
  switch (op.type) {
    case 'keepKey':
      // Only the request that claimed the key answers it (a key taken over stays the new owner's).
      return {
        sql: `INSERT INTO idempotency_keys (key, fingerprint, expires_at, owner, answer) VALUES (${at(1)}, ${at(2)}, ${at(3)}, ${at(4)}, ${at(5)})
          ON CONFLICT (key) DO UPDATE SET answer = excluded.answer WHERE idempotency_keys.owner = excluded.owner`,
        args: [op.key, op.fingerprint, op.expiresAt, op.owner, op.answer],
      };
    case 'forgetKey':
      return { sql: `DELETE FROM idempotency_keys WHERE key = ${at(1)} AND owner = ${at(2)} AND answer IS NULL`, args: [op.key, op.owner] };
    case 'forgetPendingKeys':
      return { sql: 'DELETE FROM idempotency_keys WHERE answer IS NULL', args: [] };
  }
}
