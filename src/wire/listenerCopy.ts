import { copyJSON } from './copyJSON.ts';
import type { AssistantStreamEvent, UnknownStreamEvent, WireEvent } from './events.ts';

// Listeners of the `event` callback get their own copy of each event: what they do to it
// (rename an id, rewrite a delta's index) must reach neither routing nor the snapshots, which
// keep working from the original. Nearly every event is a fragment in one fixed shape (the
// decoder marked it), copied here by hand at a fraction of structuredClone's cost. Strings are
// shared (see copyJSON): no listener can change one.

/** The SDK-shaped `{ event, data }` of a wire event, with a copy of its data. */
export function listenerCopy(event: WireEvent): AssistantStreamEvent | UnknownStreamEvent {
  if (event.type === 'wire.unknown') return { event: event.event, data: copyJSON(event.data) };
  return { event: event.type, data: copyData(event) } as AssistantStreamEvent;
}

function copyData(event: Exclude<WireEvent, { type: 'wire.unknown' }>): unknown {
  if (event.type === 'thread.message.delta' && event.fragment === true) {
    const { id, object, delta } = event.data;
    const entry = delta.content![0] as { index: number; type: 'text'; text: { value: string } };
    return { id, object, delta: { content: [{ index: entry.index, type: 'text', text: { value: entry.text.value } }] } };
  }
  if (event.type === 'thread.run.step.delta' && event.fragment === true) {
    const { id, object, delta } = event.data;
    const details = delta.step_details as { type: 'tool_calls'; tool_calls: Array<Record<string, unknown>> };
    const call = details.tool_calls[0]!;
    const copy =
      call['type'] === 'function'
        ? { index: call['index'], type: 'function', function: { arguments: (call['function'] as { arguments: string }).arguments } }
        : { index: call['index'], type: 'code_interpreter', code_interpreter: { input: (call['code_interpreter'] as { input: string }).input } };
    return { id, object, delta: { step_details: { type: 'tool_calls', tool_calls: [copy] } } };
  }
  return copyJSON(event.data);
}
