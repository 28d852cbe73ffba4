/** One server-sent event frame: `event: <name>\ndata: <json>\n\n`. */
export function formatSSEFrame(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The frame that ends every Assistants stream. */
export const SSE_DONE_FRAME = 'event: done\ndata: [DONE]\n\n';

/** One NDJSON line in the `toReadableStream()` format: `{"event":…,"data":…}\n`. */
export function formatNDJSONLine(name: string, data: unknown): string {
  return `${JSON.stringify({ event: name, data })}\n`;
}
