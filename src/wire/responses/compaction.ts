// `POST /v1/responses/compact` (the spec's `CompactResource`, `CompactionBody`): a long context
// made short. Its output — every user message of the context, then one `compaction` item — is
// the input of the next request, in place of everything it replaces.

import type { ResponseUsage } from './types.ts';

/** The item that stands for what a compaction left out: opaque content only the server reads back. */
export interface ResponseCompactionItem {
  type: 'compaction';
  id: string;
  encrypted_content: string;
  /** Who made it, where the server says. */
  created_by?: string;
}

/** The answer of `POST /v1/responses/compact`. */
export interface CompactedResponse {
  id: string;
  object: 'response.compaction';
  created_at: number;
  /** The context's user messages, in order, then one {@link ResponseCompactionItem}. */
  output: Array<{ id: string; type: string } & Record<string, unknown>>;
  usage: ResponseUsage;
}
