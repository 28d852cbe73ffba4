import { AssistantStream } from '../../src/index.ts';
import type { TestServer } from './server.ts';

/** Event names with each run of repeated deltas collapsed: `thread.message.delta…`. */
export function collapseDeltas(names: readonly string[]): string[] {
  const collapsed: string[] = [];
  for (const name of names) {
    const label = name.endsWith('.delta') ? `${name}…` : name;
    if (label.endsWith('…') && collapsed[collapsed.length - 1] === label) continue;
    collapsed.push(label);
  }
  return collapsed;
}

/** The streamed answer of a POST with `stream: true`, read by our own AssistantStream. */
export function streamRequest(t: TestServer, path: string, body: object): { stream: AssistantStream; events: Array<{ event: string; data: unknown }> } {
  const events: Array<{ event: string; data: unknown }> = [];
  const stream = AssistantStream.fromSSE(t.request(path, { method: 'POST', body: JSON.stringify({ ...body, stream: true }) }));
  stream.on('event', (event) => events.push(event));
  return { stream, events };
}
