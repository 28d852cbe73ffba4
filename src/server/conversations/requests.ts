import type { Context } from 'hono';
import { z } from 'zod';
import { MAX_ITEMS_PER_CONVERSATION_REQUEST } from '../../wire/index.ts';
import { MetadataParam } from '../../wire/requests.ts';
import { ApiError } from '../errors.ts';
import { InputItemParam } from '../responses/requests.ts';

// The bodies of `/v1/conversations…`, as the spec defines them (`additionalProperties: false`:
// an unknown field is a 400, as on the real API).

const Items = z.array(InputItemParam).max(MAX_ITEMS_PER_CONVERSATION_REQUEST);

/** `POST /conversations`: up to 20 initial items, metadata. */
export const CreateConversationRequest = z.strictObject({
  items: Items.nullish(),
  metadata: MetadataParam.optional(),
});

/** `POST /conversations/{id}`: new metadata (it replaces the old). */
export const UpdateConversationRequest = z.strictObject({ metadata: MetadataParam });

/** `POST /conversations/{id}/items`: up to 20 items, appended in order. */
export const CreateItemsRequest = z.strictObject({ items: Items });

/** The values `include` may take on the item endpoints (the spec's `IncludeEnum`). */
export const INCLUDABLE_VALUES = [
  'file_search_call.results',
  'web_search_call.results',
  'web_search_call.action.sources',
  'message.input_image.image_url',
  'computer_call_output.output.image_url',
  'code_interpreter_call.outputs',
  'reasoning.encrypted_content',
  'message.output_text.logprobs',
] as const;

/**
 * The `include` query of an item endpoint (`include[]=…` as the SDKs send it, or `include=…`);
 * a value the spec does not list is a 400.
 *
 * @example `const include = includeOf(c); // ['file_search_call.results']`
 */
export function includeOf(c: Context): string[] {
  const values = [...(c.req.queries('include[]') ?? []), ...(c.req.queries('include') ?? [])];
  for (const value of values) {
    if (!(INCLUDABLE_VALUES as readonly string[]).includes(value)) {
      throw new ApiError(400, `Invalid value: '${value}'. Supported values are: ${INCLUDABLE_VALUES.map((known) => `'${known}'`).join(', ')}.`, {
        param: 'include',
        code: 'invalid_value',
      });
    }
  }
  return values;
}
