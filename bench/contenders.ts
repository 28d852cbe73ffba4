import { createParser } from 'eventsource-parser';
import OpenAI from 'openai';
import WebSocket from 'ws';
import { createInspector, type Inspector } from '../inspect/index.ts';
import { AssistantStream } from '../src/index.ts';

/** One way to consume the benchmark stream; resolves to the number of text characters seen. */
export type Contender = (baseURL: string) => Promise<number>;

const request = (baseURL: string) =>
  fetch(`${baseURL}/threads/thread_1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench', 'openai-beta': 'assistants=v2' },
    body: JSON.stringify({ assistant_id: 'asst_1', stream: true }),
  });

const requestResponse = (baseURL: string) =>
  fetch(`${baseURL}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
    body: JSON.stringify({ model: 'bench', input: 'go', stream: true }),
  });

// An `event` listener as users attach one: it looks at each event's name (a log line, a
// counter by kind, a check for the run's end), beside the textDelta listener that counts the text.
const eventNames = new Map<string, number>();
const countEvent = (event: { event: string }) => void eventNames.set(event.event, (eventNames.get(event.event) ?? 0) + 1);

export type ContenderName =
  | 'floor'
  | 'official'
  | 'ours'
  | 'inspected'
  | 'official-responses'
  | 'ours-responses'
  | 'official-with-events'
  | 'ours-with-events';

export const CONTENDERS: Record<ContenderName, Contender> = {
  /** The floor: bytes → SSE frames → JSON.parse, nothing else. */
  async floor(baseURL) {
    const response = await request(baseURL);
    let chars = 0;
    const parser = createParser({
      onEvent(message) {
        if (message.data === '[DONE]') return;
        const data = JSON.parse(message.data) as { delta?: { content?: Array<{ text?: { value?: string } }> } };
        chars += data.delta?.content?.[0]?.text?.value?.length ?? 0;
      },
    });
    const decoder = new TextDecoder();
    for await (const chunk of response.body! as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
    return chars;
  },
  /** The official SDK: `client.beta.threads.runs.stream` with a textDelta listener. */
  async official(baseURL) {
    const client = new OpenAI({ apiKey: 'bench', baseURL });
    let chars = 0;
    const stream = client.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' });
    stream.on('textDelta', (delta) => (chars += delta.value?.length ?? 0));
    await stream.done();
    return chars;
  },
  /** Ours: `AssistantStream.fromSSE` over the same fetch, with a textDelta listener. */
  async ours(baseURL) {
    let chars = 0;
    const stream = AssistantStream.fromSSE(request(baseURL));
    stream.on('textDelta', (delta) => (chars += delta.value?.length ?? 0));
    await stream.done();
    return chars;
  },
  /** The official SDK with an `event` listener beside the textDelta one (the text and the tool-call streams). */
  async 'official-with-events'(baseURL) {
    const client = new OpenAI({ apiKey: 'bench', baseURL });
    let chars = 0;
    const stream = client.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' });
    stream.on('event', countEvent);
    stream.on('textDelta', (delta) => (chars += delta.value?.length ?? 0));
    await stream.done();
    return chars;
  },
  /** Ours with the same two listeners. */
  async 'ours-with-events'(baseURL) {
    let chars = 0;
    const stream = AssistantStream.fromSSE(request(baseURL));
    stream.on('event', countEvent);
    stream.on('textDelta', (delta) => (chars += delta.value?.length ?? 0));
    await stream.done();
    return chars;
  },
  /** Ours with the inspector attached (`createInspector().inspect`) and a UI watching it. */
  async inspected(baseURL) {
    const inspector = await createInspector({ log: () => {} });
    const ui = await watchLikeTheUi(inspector);
    try {
      let chars = 0;
      const stream = AssistantStream.fromSSE(request(baseURL), { inspect: inspector.inspect });
      stream.on('textDelta', (delta) => (chars += delta.value?.length ?? 0));
      await stream.done();
      return chars;
    } finally {
      ui.close();
      await inspector.close();
    }
  },
  /** The official SDK's Responses helper: `client.responses.stream` with an output_text delta listener. */
  async 'official-responses'(baseURL) {
    const client = new OpenAI({ apiKey: 'bench', baseURL });
    let chars = 0;
    const stream = client.responses.stream({ model: 'bench', input: 'go' });
    stream.on('response.output_text.delta', (event) => (chars += event.delta.length));
    await stream.done();
    return chars;
  },
  /** Ours on the same Responses stream: through the adapter and the statecharts, a textDelta listener. */
  async 'ours-responses'(baseURL) {
    let chars = 0;
    const stream = AssistantStream.fromSSE(requestResponse(baseURL));
    stream.on('textDelta', (delta) => (chars += delta.value?.length ?? 0));
    await stream.done();
    return chars;
  },
};

// What the page does on every change it hears of (at most ten a second): fetch the state
// as of the newest event, the actor list, and the log's last page.
async function watchLikeTheUi(inspector: Inspector): Promise<WebSocket> {
  const url = new URL(inspector.url);
  const token = url.searchParams.get('token')!;
  const get = (path: string) => fetch(`${url.origin}${path}${path.includes('?') ? '&' : '?'}token=${token}`).then((response) => response.json());
  const socket = new WebSocket(`ws://${url.host}/ui?token=${token}`);
  let busy = false;
  let actorsSeen = -1;
  socket.on('message', (data) => {
    if (busy) return;
    const { nextSeq, actors } = JSON.parse(String(data)) as { nextSeq: number; actors: number };
    busy = true;
    // What the page asks on every change: the state as of the newest event and the log's last
    // rows; the actor list and the sessions when the number of actors changed, and the selected
    // actor's history (as the page does when it takes a transition: here, with the actors).
    const asks = [get('/api/state'), get(`/api/events?offset=${Math.max(0, nextSeq - 60)}&limit=60`)];
    if (actors !== actorsSeen) asks.push(get('/api/actors'), get('/api/sessions'));
    actorsSeen = actors;
    // A fetch cut off by the inspector closing at the end is expected: nothing to report.
    Promise.all(asks)
      .catch(() => {})
      .finally(() => (busy = false));
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return socket;
}
