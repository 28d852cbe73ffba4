import type { ResponseInputItem } from '../resources/responses.ts';

/** How many responses' inputs and outputs a socket remembers for restarts. */
const MAX_REMEMBERED_LINKS = 1_000;

/** One response of a chain as its client saw it: what it continued, what it was sent, what it answered. */
interface ChainLink {
  previousId: string | undefined;
  input: readonly ResponseInputItem[];
  output: readonly ResponseInputItem[];
}

/**
 * The context of each chain of responses a client made: enough to send it whole again when the
 * server no longer has its state (`previous_response_not_found`: a `store: false` chain whose
 * WebSocket connection closed). Bounded: the oldest responses are forgotten first, and a chain
 * with a forgotten link has no context here.
 *
 * @example
 * ```ts
 * transcripts.record('resp_2', 'resp_1', [{ role: 'user', content: 'And now?' }], response.output);
 * const context = transcripts.contextOf('resp_2'); // resp_1's input and output, then resp_2's
 * ```
 */
export class ChainTranscripts {
  readonly #links = new Map<string, ChainLink>();

  /** Remembers a response that ended: what it continued, its input, and its output items. */
  record(responseId: string, previousId: string | undefined, input: readonly ResponseInputItem[], output: readonly ResponseInputItem[]): void {
    this.#links.set(responseId, { previousId, input, output });
    if (this.#links.size > MAX_REMEMBERED_LINKS) this.#links.delete(this.#links.keys().next().value!);
  }

  /** Every item of the chain up to and including `responseId`'s output, oldest first; undefined when a link is not known. */
  contextOf(responseId: string): ResponseInputItem[] | undefined {
    const links: ChainLink[] = [];
    for (let id: string | undefined = responseId; id !== undefined; ) {
      const link = this.#links.get(id);
      if (link === undefined) return undefined;
      links.unshift(link);
      id = link.previousId;
    }
    return links.flatMap((link) => [...link.input, ...link.output]);
  }
}

/**
 * A create request's `input` as a list of items (a string is one user message).
 *
 * @example `inputItemsOf('Hi') // [{ role: 'user', content: 'Hi' }]`
 */
export function inputItemsOf(input: string | readonly ResponseInputItem[] | null | undefined): ResponseInputItem[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  return [...(input ?? [])];
}
