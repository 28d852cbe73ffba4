// Real recordings of the live Responses API (../shared/responses-fixtures, with their sources in
// its SOURCES.md): read where they are, never copied into the repository. Tests that use them
// say they skipped when the folder is absent.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the recordings are: `../shared/responses-fixtures` beside the repository (or LIVE_RECORDINGS_DIR). */
export const LIVE_RECORDINGS_DIR = process.env['LIVE_RECORDINGS_DIR'] ?? fileURLToPath(new URL('../../../shared/responses-fixtures', import.meta.url));

/** One recorded response's stream: its file name and its events, as parsed JSON. */
export interface LiveRecording {
  file: string;
  events: Array<{ type: string } & Record<string, unknown>>;
}

/** Every recording, or undefined when the folder is absent (the caller says it skipped). */
export function liveRecordings(): LiveRecording[] | undefined {
  if (!existsSync(LIVE_RECORDINGS_DIR)) return undefined;
  return readdirSync(LIVE_RECORDINGS_DIR)
    .filter((file) => file.endsWith('.sse'))
    .sort()
    .map((file) => ({ file, events: sseEvents(readFileSync(`${LIVE_RECORDINGS_DIR}/${file}`, 'utf8')) }));
}

/** The `data:` JSON of every frame of an SSE text. */
export function sseEvents(text: string): Array<{ type: string } & Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
    .map((line) => JSON.parse(line.slice('data: '.length)) as { type: string } & Record<string, unknown>);
}

/** The keys seen for each kind of object, by label (`event:<type>`, `response`, `item:<type>`, `tool:<type>`, …). */
export type KeysByLabel = Map<string, Set<string>>;

/**
 * The keys of every object the events carry, by label: each event type, the response (and its
 * `reasoning`, `text`, `usage` and usage details), each item type, content part type,
 * annotation type and tool type.
 *
 * @example `const keys = keysOf(recording.events);`
 */
export function keysOf(events: ReadonlyArray<Record<string, unknown>>, into: KeysByLabel = new Map()): KeysByLabel {
  const note = (label: string, value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    const keys = into.get(label) ?? new Set<string>();
    into.set(label, keys);
    for (const key of Object.keys(value)) keys.add(key);
  };
  const item = (value: unknown) => {
    const record = value as { type?: unknown; content?: unknown } | null;
    if (typeof record?.type !== 'string') return;
    note(`item:${record.type}`, record);
    if (!Array.isArray(record.content)) return;
    for (const part of record.content as Array<{ type?: unknown; annotations?: unknown }>) {
      note(`part:${String(part.type)}`, part);
      for (const annotation of Array.isArray(part.annotations) ? (part.annotations as Array<{ type?: unknown }>) : []) note(`annotation:${String(annotation.type)}`, annotation);
    }
  };
  for (const event of events) {
    note(`event:${String(event['type'])}`, event);
    const response = event['response'] as Record<string, unknown> | undefined;
    if (response !== undefined) {
      note('response', response);
      for (const field of ['reasoning', 'text', 'usage', 'error', 'incomplete_details', 'tool_usage']) note(`response.${field}`, response[field]);
      const usage = response['usage'] as Record<string, unknown> | null | undefined;
      note('response.usage.input_tokens_details', usage?.['input_tokens_details']);
      note('response.usage.output_tokens_details', usage?.['output_tokens_details']);
      for (const tool of (response['tools'] as Array<{ type?: unknown }> | undefined) ?? []) note(`tool:${String(tool.type)}`, tool);
      for (const output of (response['output'] as unknown[] | undefined) ?? []) item(output);
    }
    item(event['item']);
    const part = event['part'] as { type?: unknown } | undefined;
    if (part !== undefined) note(`part:${String(part.type)}`, part);
    const annotation = event['annotation'] as { type?: unknown } | undefined;
    if (annotation !== undefined) note(`annotation:${String(annotation.type)}`, annotation);
  }
  return into;
}
