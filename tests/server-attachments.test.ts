// Message attachments as the API does them, and images: the file-search guide's example (a
// file attached to a message for file_search) through the official SDK answers with a
// citation of that file, the thread's new vector store visible in its tool_resources;
// code_interpreter attachments reach a live Responses backend's container (uploaded to it);
// image_file and image_url parts reach Responses and Chat models in their formats.
import { toFile } from 'openai';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startLoopback, type Loopback } from './helpers/loopback.ts';
import { startChatCompletions } from './helpers/modelUpstream.ts';
import { responseEvents, toSSE } from './helpers/responsesEvents.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const REPORT = [
  'Apple Inc. annual report (10-K) for the fiscal year ended September 30, 2023.',
  'As of October 20, 2023, there were 15,552,752,000 shares of common stock outstanding.',
  'The company designs smartphones, personal computers, tablets and wearables.',
].join('\n');

// A 1×1 PNG.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4b40000000049454e44ae426082', 'hex');

const test = suite<{ t: TestServer }>('message attachments and images');
test.before(async (context) => {
  context.t = await startTestServer();
});
test.after(async ({ t }) => t?.close());

test("the file-search guide's attachment example answers with a citation from the attached file", async ({ t }) => {
  const { openai } = t;
  const assistant = await openai.beta.assistants.create({
    name: 'Financial Analyst Assistant',
    instructions: 'You are an expert financial analyst. Use you knowledge base to answer questions about audited financial statements.',
    model: 'gpt-4o',
    tools: [{ type: 'file_search' }],
  });
  const aapl10k = await openai.files.create({ file: await toFile(Buffer.from(REPORT), 'aapl-10k.txt'), purpose: 'assistants' });
  const thread = await openai.beta.threads.create({
    messages: [
      {
        role: 'user',
        content: 'How many shares of AAPL were outstanding at the end of of October 2023?',
        attachments: [{ file_id: aapl10k.id, tools: [{ type: 'file_search' }] }],
      },
    ],
  });
  // "The thread now has a vector store with that file in its tool resources."
  const [vectorStoreId] = thread.tool_resources?.file_search?.vector_store_ids ?? [];
  assert.type(vectorStoreId, 'string');
  const store = await openai.vectorStores.retrieve(vectorStoreId!);
  assert.equal(store.expires_after, { anchor: 'last_active_at', days: 7 });

  // The guide's handler, its citation lookups awaited before the test reads them.
  const citations: string[] = [];
  const lookups: Array<Promise<void>> = [];
  let answer = '';
  const stream = openai.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }).on('messageDone', (event) => {
    if (event.content[0]?.type !== 'text') return;
    const { text } = event.content[0];
    answer = text.value;
    for (const [index, annotation] of text.annotations.entries()) {
      answer = answer.replace(annotation.text, `[${index}]`);
      if (annotation.type === 'file_citation') lookups.push(openai.files.retrieve(annotation.file_citation.file_id).then((file) => void citations.push(`[${index}]${file.filename}`)));
    }
  });
  const run = await stream.finalRun();
  assert.is(run.status, 'completed');
  await Promise.all(lookups);
  assert.match(answer, /15,552,752,000 shares/);
  assert.equal(citations, ['[0]aapl-10k.txt']);
  assert.equal(t.internalErrors, []);
});

test('a second attachment goes into the same thread vector store; a message can attach for code_interpreter too', async ({ t }) => {
  const { openai } = t;
  const first = await openai.files.create({ file: await toFile(Buffer.from('Alpha notes.'), 'alpha.md'), purpose: 'assistants' });
  const second = await openai.files.create({ file: await toFile(Buffer.from('Beta notes.'), 'beta.md'), purpose: 'assistants' });
  const thread = await openai.beta.threads.create({ messages: [{ role: 'user', content: 'One', attachments: [{ file_id: first.id, tools: [{ type: 'file_search' }] }] }] });
  await openai.beta.threads.messages.create(thread.id, { role: 'user', content: 'Two', attachments: [{ file_id: second.id, tools: [{ type: 'file_search' }, { type: 'code_interpreter' }] }] });
  const after = await openai.beta.threads.retrieve(thread.id);
  assert.equal(after.tool_resources?.file_search?.vector_store_ids, thread.tool_resources?.file_search?.vector_store_ids);
  const files = await openai.vectorStores.files.list(thread.tool_resources!.file_search!.vector_store_ids![0]!);
  assert.equal(files.data.map((file) => file.id).sort(), [first.id, second.id].sort());
  const unknown = await openai.beta.threads.messages.create(thread.id, { role: 'user', content: 'x', attachments: [{ file_id: 'file-nope', tools: [{ type: 'file_search' }] }] }).catch((error: unknown) => error);
  assert.is((unknown as { status?: number }).status, 404);
});

// A Responses API on loopback: files uploads get ids, every /responses request is answered with a short text.
function startResponsesUpstream(): Promise<Loopback> {
  let uploads = 0;
  return startLoopback((request, response) => {
    if (request.url.endsWith('/files')) {
      uploads += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: `file-upstream-${uploads}`, object: 'file', purpose: 'user_data' }));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(toSSE(responseEvents({ id: `resp_${Date.now()}`, items: [{ type: 'message', id: 'msg_1', parts: [{ text: ['Seen.'] }] }] })));
  });
}

test('code_interpreter attachments are uploaded to a Responses backend and given to its container', async () => {
  const upstream = await startResponsesUpstream();
  const server = await startTestServer({ model: { baseURL: upstream.url, protocol: 'responses' } });
  try {
    const { openai } = server;
    const data = await openai.files.create({ file: await toFile(Buffer.from('x,y\n1,2\n'), 'data.csv'), purpose: 'assistants' });
    const assistant = await openai.beta.assistants.create({ model: 'gpt-live', tools: [{ type: 'code_interpreter' }] });
    const run = await openai.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Plot it.', attachments: [{ file_id: data.id, tools: [{ type: 'code_interpreter' }] }] }] } },
      { pollIntervalMs: 5 },
    );
    assert.is(run.status, 'completed');
    const upload = upstream.requests.find((request) => request.url.endsWith('/files'));
    assert.ok(upload?.body.includes('x,y') && upload.body.includes('user_data'), 'the file went to the backend');
    const body = JSON.parse(upstream.requests.find((request) => request.url.endsWith('/responses'))!.body) as { tools: Array<Record<string, unknown>> };
    assert.equal(body.tools, [{ type: 'code_interpreter', container: { type: 'auto', file_ids: ['file-upstream-1'] } }]);
  } finally {
    await server.close();
    await upstream.close();
  }
});

test('image_file and image_url parts reach a Responses model as input_image', async () => {
  const upstream = await startResponsesUpstream();
  const server = await startTestServer({ model: { baseURL: upstream.url, protocol: 'responses' } });
  try {
    const { openai } = server;
    const image = await openai.files.create({ file: await toFile(PNG, 'pixel.png'), purpose: 'vision' });
    const assistant = await openai.beta.assistants.create({ model: 'gpt-live' });
    const content = [
      { type: 'text' as const, text: 'What are these?' },
      { type: 'image_file' as const, image_file: { file_id: image.id, detail: 'low' as const } },
      { type: 'image_url' as const, image_url: { url: 'https://example.com/cat.jpg' } },
    ];
    const run = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content }] } }, { pollIntervalMs: 5 });
    assert.is(run.status, 'completed');
    const body = JSON.parse(upstream.requests.at(-1)!.body) as { input: Array<{ role: string; content: unknown }> };
    assert.equal(body.input[0], {
      role: 'user',
      content: [
        { type: 'input_text', text: 'What are these?' },
        { type: 'input_image', image_url: `data:image/png;base64,${PNG.toString('base64')}`, detail: 'low' },
        { type: 'input_image', image_url: 'https://example.com/cat.jpg', detail: 'auto' },
      ],
    });
  } finally {
    await server.close();
    await upstream.close();
  }
});

test('image_file and image_url parts reach a Chat Completions model as image_url parts', async () => {
  const upstream = await startChatCompletions();
  const server = await startTestServer({ model: { baseURL: upstream.url, protocol: 'chat' } });
  try {
    const { openai } = server;
    const image = await openai.files.create({ file: await toFile(PNG, 'pixel.png'), purpose: 'vision' });
    const assistant = await openai.beta.assistants.create({ model: 'gpt-live' });
    const content = [
      { type: 'image_file' as const, image_file: { file_id: image.id } },
      { type: 'text' as const, text: 'Describe it.' },
      { type: 'image_url' as const, image_url: { url: 'https://example.com/cat.jpg', detail: 'high' as const } },
    ];
    const run = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content }] } }, { pollIntervalMs: 5 });
    assert.is(run.status, 'completed');
    const body = upstream.bodies().at(-1) as { messages: Array<{ role: string; content: unknown }> };
    assert.equal(body.messages.find((message) => message.role === 'user')?.content, [
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}`, detail: 'auto' } },
      { type: 'text', text: 'Describe it.' },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
    ]);
  } finally {
    await server.close();
    await upstream.close();
  }
});

test.run();
