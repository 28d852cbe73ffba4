import { createParser } from 'eventsource-parser';
import OpenAI from 'openai';
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

export const CONTENDERS: Record<'floor' | 'official' | 'ours' | 'official-responses' | 'ours-responses', Contender> = {
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
