import { ApiError } from '../errors.ts';

// What a `compaction` item of the embedded server holds. The live API's `encrypted_content` is
// an encrypted summary only its models read; the embedded server's models see a context as its
// messages' text (tool calls and their outputs are each run's own business), so what a compaction
// keeps of the messages it replaces is exactly that text — nothing the models would have seen is
// lost. It is not encrypted: `amc1.` and the base64url of a JSON list, opaque to clients by
// contract only (docs/responses.md, "Compaction").

/** A message a compaction item stands for: who said it, after how many of the context's user messages, and its text. */
export interface CompactedMessage {
  role: 'assistant' | 'system' | 'developer';
  /** How many user messages of the context came before it. */
  after: number;
  text: string;
}

const PREFIX = 'amc1.';
const ROLES: ReadonlySet<string> = new Set(['assistant', 'system', 'developer']);

/**
 * The `encrypted_content` of a compaction item standing for `messages`.
 *
 * @example `encodeCompaction([{ role: 'assistant', after: 1, text: 'Hi!' }]) // 'amc1.W3sic…'`
 */
export function encodeCompaction(messages: readonly CompactedMessage[]): string {
  return PREFIX + Buffer.from(JSON.stringify(messages), 'utf8').toString('base64url');
}

/**
 * The messages a compaction item stands for; content this server did not make (another
 * server's, the live API's, a changed one) is a 400 naming `param`.
 *
 * @example `const messages = decodeCompaction(item.encrypted_content, 'input[3].encrypted_content');`
 */
export function decodeCompaction(content: unknown, param: string): CompactedMessage[] {
  const invalid = () =>
    new ApiError(400, 'The encrypted content of this compaction item could not be read: it was not made by this server.', {
      param,
      code: 'invalid_encrypted_content',
    });
  if (typeof content !== 'string' || !content.startsWith(PREFIX)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(content.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || !parsed.every(isCompactedMessage)) throw invalid();
  return parsed;
}

function isCompactedMessage(value: unknown): value is CompactedMessage {
  if (typeof value !== 'object' || value === null) return false;
  const { role, after, text } = value as Record<string, unknown>;
  return typeof role === 'string' && ROLES.has(role) && Number.isSafeInteger(after) && (after as number) >= 0 && typeof text === 'string';
}

/**
 * Refuses, before anything is stored or started, a `compaction` item among `items` whose
 * content this server cannot read back (a 400 naming `param[i].encrypted_content`).
 *
 * @example `checkCompactionItems(parsed.stored, 'input');`
 */
export function checkCompactionItems(items: ReadonlyArray<{ type: string } & Record<string, unknown>>, param: string): void {
  for (const [index, item] of items.entries()) {
    if (item.type === 'compaction') decodeCompaction(item['encrypted_content'], `${param}[${index}].encrypted_content`);
  }
}
