import OpenAI from 'openai';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient } from '../src/client/index.ts';
import { scriptedModel, type Model, type ModelRequest } from '../src/server/index.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// POST /v1/responses/compact with the official SDK as the client, and ours: a context's user
// messages then one compaction item; fed back as input, the model reads the same messages it
// would have read continuing the chain.

/** The messages the model was shown, per run, as role: text. */
const seen: string[][] = [];
const recordingModel: Model = {
  nextStep(request: ModelRequest) {
    seen.push(request.messages.map((message) => `${message.role}: ${message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('')}`));
    return scriptedModel.nextStep(request);
  },
};

const test = suite<{ t: TestServer; ours: AssistantsClient }>('responses compact');
test.before(async (context) => {
  context.t = await startTestServer({ model: recordingModel });
  context.ours = new AssistantsClient({ baseURL: context.t.server.url, apiKey: 'test-key', maxRetries: 0 });
});
test.after(async ({ t }) => {
  await t.close();
  assert.equal(t.internalErrors, []);
});

const weather = { type: 'function' as const, name: 'get_weather', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } } } };

/** A chain: a function round trip, then a plain question. Answers the last response. */
async function chain(openai: OpenAI): Promise<OpenAI.Responses.Response> {
  const first = await openai.responses.create({ model: 'scripted', input: "What's the weather in Paris?", tools: [weather] });
  const call = first.output.find((item) => item.type === 'function_call')!;
  const answered = await openai.responses.create({
    model: 'scripted',
    previous_response_id: first.id,
    input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"forecast":"sunny"}' }],
    tools: [weather],
  });
  return openai.responses.create({ model: 'scripted', previous_response_id: answered.id, input: 'Thanks!' });
}

test('the compacted context: every user message, then one compaction item; usage counted', async ({ t }) => {
  const last = await chain(t.openai);
  const compacted = await t.openai.responses.compact({ model: 'scripted', previous_response_id: last.id });
  assert.equal(Object.keys(compacted).sort(), ['created_at', 'id', 'object', 'output', 'usage']);
  assert.is(compacted.object, 'response.compaction');
  assert.match(compacted.id, /^resp_/);
  assert.equal(
    compacted.output.map((item) => (item.type === 'message' ? `${item.role}: ${item.content.map((part) => ('text' in part ? part.text : '')).join('')}` : item.type)),
    ["user: What's the weather in Paris?", 'user: Thanks!', 'compaction'],
  );
  const item = compacted.output.at(-1) as { id: string; encrypted_content: string };
  assert.match(item.id, /^cmp_/);
  assert.type(item.encrypted_content, 'string');
  assert.ok(compacted.usage.input_tokens > 0 && compacted.usage.output_tokens > 0);
  assert.is(compacted.usage.total_tokens, compacted.usage.input_tokens + compacted.usage.output_tokens);
  // Deterministic: the same context compacts to the same content.
  const again = await t.openai.responses.compact({ model: 'scripted', previous_response_id: last.id });
  assert.is((again.output.at(-1) as { encrypted_content: string }).encrypted_content, item.encrypted_content);
});

test('fed back as input, the compacted context shows the model the messages the chain did', async ({ t }) => {
  const last = await chain(t.openai);
  const compacted = await t.openai.responses.compact({ model: 'scripted', previous_response_id: last.id });
  seen.length = 0;
  const continued = await t.openai.responses.create({ model: 'scripted', previous_response_id: last.id, input: 'And in Rome?' });
  const restarted = await t.openai.responses.create({
    model: 'scripted',
    input: [...(compacted.output as OpenAI.Responses.ResponseInputItem[]), { role: 'user', content: 'And in Rome?' }],
  });
  assert.is(seen.length, 2);
  assert.equal(seen[1], seen[0]);
  assert.equal(seen[0]?.length, 5);
  assert.match(seen[0]![1]!, /^assistant: get_weather returned: \{"forecast":"sunny"\}/);
  assert.is(restarted.output_text, continued.output_text);
});

test('a compaction compacted again keeps what it stood for; our client compacts an input list', async ({ t, ours }) => {
  const last = await chain(t.openai);
  const first = await ours.responses.compact({ model: 'scripted', previous_response_id: last.id });
  const next = await ours.responses.create({ model: 'scripted', input: [...first.output, { role: 'user', content: 'One more question' }] });
  const second = await ours.responses.compact({
    model: 'scripted',
    input: [...first.output, { role: 'user', content: 'One more question' }, ...(next.output as Array<{ type: string }>)],
  });
  assert.equal(
    second.output.map((item) => item.type),
    ['message', 'message', 'message', 'compaction'],
  );
  seen.length = 0;
  await ours.responses.create({ model: 'scripted', input: [...second.output, { role: 'user', content: 'Last one' }] });
  assert.equal(
    seen[0]?.map((line) => line.split(':')[0]),
    ['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user'],
  );
});

test('function calls still waiting for their output stay after the compaction item, to be answered', async ({ t }) => {
  const asked = await t.openai.responses.create({ model: 'scripted', input: "What's the weather in Paris?", tools: [weather] });
  const compacted = await t.openai.responses.compact({ model: 'scripted', previous_response_id: asked.id });
  assert.equal(
    compacted.output.map((item) => item.type),
    ['message', 'compaction', 'function_call'],
  );
  const call = compacted.output.at(-1) as { call_id: string };
  const answered = await t.openai.responses.create({
    model: 'scripted',
    input: [...(compacted.output as OpenAI.Responses.ResponseInputItem[]), { type: 'function_call_output', call_id: call.call_id, output: '{"forecast":"windy"}' }],
    tools: [weather],
  });
  // The call was made and answered: the model answers from its output instead of calling again.
  assert.is(answered.output_text, 'get_weather returned: {"forecast":"windy"}');
});

test('a compaction item this server did not make, and an unknown previous response, are 400s', async ({ t }) => {
  const refusal = async (call: Promise<unknown>) => {
    try {
      await call;
    } catch (error) {
      if (error instanceof OpenAI.APIError) return [error.status, error.code, error.param];
      throw error;
    }
    throw new Error('the call succeeded');
  };
  const forged = [{ role: 'user' as const, content: 'Hi' }, { type: 'compaction' as const, encrypted_content: 'gAAAAABpM0Yj-not-ours' }];
  assert.equal(await refusal(t.openai.responses.create({ model: 'scripted', input: forged })), [400, 'invalid_encrypted_content', 'input[1].encrypted_content']);
  assert.equal(await refusal(t.openai.responses.compact({ model: 'scripted', input: forged })), [400, 'invalid_encrypted_content', 'input[1].encrypted_content']);
  const conversation = await t.openai.conversations.create();
  assert.equal(
    await refusal(t.openai.conversations.items.create(conversation.id, { items: forged })),
    [400, 'invalid_encrypted_content', 'items[1].encrypted_content'],
  );
  assert.equal(await refusal(t.openai.responses.compact({ model: 'scripted', previous_response_id: 'resp_missing' })), [
    400,
    'previous_response_not_found',
    'previous_response_id',
  ]);
});

test.run();
