import type { ConversationItem } from '../../wire/index.ts';
import { newId } from '../ids.ts';
import type { InputItemInput } from '../responses/requests.ts';

// An input item (of `POST /responses`, `POST /conversations`, `POST /conversations/{id}/items`)
// as the API keeps it: with an id and a status, a message's text as content parts.

/** The id prefix of each kind of item the server names itself. */
const ID_PREFIXES: Readonly<Record<string, string>> = {
  message: 'msg_',
  function_call: 'fc_',
  function_call_output: 'fco_',
  file_search_call: 'fs_',
  code_interpreter_call: 'ci_',
  reasoning: 'rs_',
  compaction: 'cmp_',
};

/**
 * An input item as a stored item: a message gets an id, `status: 'completed'` and its text as
 * parts (`input_text`, or `output_text` for the assistant's); any other item keeps what was
 * sent, with an id (the one given, or a new one) and a status.
 *
 * @example `storedItemOf({ role: 'user', content: 'Hi' }) // { id: 'msg_…', type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }`
 */
export function storedItemOf(input: InputItemInput): ConversationItem {
  if ('role' in input && typeof input.role === 'string' && (input.type === undefined || input.type === 'message')) {
    const { role, content, id, status, ...rest } = input as InputItemInput & { role: string; content: unknown; id?: unknown; status?: unknown };
    return {
      ...rest,
      id: typeof id === 'string' ? id : newId('msg_'),
      type: 'message',
      status: typeof status === 'string' ? status : 'completed',
      content: typeof content === 'string' ? [textPart(role, content)] : content,
      role,
    };
  }
  const { type, id, status, ...rest } = input as { type: string; id?: unknown; status?: unknown } & Record<string, unknown>;
  return {
    id: typeof id === 'string' ? id : newId(ID_PREFIXES[type] ?? 'item_'),
    type,
    status: typeof status === 'string' ? status : 'completed',
    ...rest,
  };
}

function textPart(role: string, text: string): Record<string, unknown> {
  return role === 'assistant' ? { type: 'output_text', text, annotations: [], logprobs: [] } : { type: 'input_text', text };
}

/** What `include` adds to the items it names: without it, these fields read `null`, as on the API. */
const INCLUDABLE: ReadonlyArray<{ type: string; field: string; include: string }> = [
  { type: 'file_search_call', field: 'results', include: 'file_search_call.results' },
  { type: 'code_interpreter_call', field: 'outputs', include: 'code_interpreter_call.outputs' },
];

/**
 * An item as a list or retrieve shows it: a file search call's `results` and a code
 * interpreter call's `outputs` only when `include` names them (else `null`).
 *
 * @example `shownItem(item, ['file_search_call.results'])`
 */
export function shownItem(item: ConversationItem, include: readonly string[]): ConversationItem {
  const hidden = INCLUDABLE.find((entry) => entry.type === item.type && !include.includes(entry.include));
  return hidden === undefined ? item : { ...item, [hidden.field]: null };
}
