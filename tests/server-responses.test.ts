import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from './helpers/server.ts';

// /v1/responses as raw HTTP: the API's error envelope for bad requests, numbered SSE frames,
// replays from starting_after, and the state a chain of responses keeps.

let t: TestServer;

test.before(async () => {
  t = await startTestServer();
});

test.after(async () => {
  await t.close();
  assert.equal(t.internalErrors, []);
});

const post = (body: unknown) => t.request('/responses', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });

async function envelope(
  response: Response,
): Promise<{ status: number; error: { message: string; type: string; param: string | null; code: string | null } }> {
  return {
    status: response.status,
    ...((await response.json()) as { error: { message: string; type: string; param: string | null; code: string | null } }),
  };
}

test('bad requests answer 400 or 404 in the API envelope, naming the parameter', async () => {
  const notJson = await envelope(await post('{nope'));
  assert.is(notJson.status, 400);
  assert.is(notJson.error.type, 'invalid_request_error');
  const noModel = await envelope(await post({ input: 'Hi' }));
  assert.equal([noModel.status, noModel.error.param], [400, 'model']);
  const badScenario = await envelope(await post({ model: 'scripted', input: 'Hi', metadata: { scenario: 'sideways' } }));
  assert.equal([badScenario.status, badScenario.error.param], [400, 'metadata.scenario']);
  const noStore = await envelope(await post({ model: 'scripted', input: 'Hi', tools: [{ type: 'file_search', vector_store_ids: ['vs_missing'] }] }));
  assert.is(noStore.status, 404);
  const strayOutput = await envelope(await post({ model: 'scripted', input: [{ type: 'function_call_output', call_id: 'call_x', output: '1' }] }));
  assert.equal([strayOutput.status, strayOutput.error.param], [400, 'input']);
  const missing = await envelope(await t.request('/responses/resp_missing'));
  assert.is(missing.status, 404);
});

test('a continuation must answer every pending call; a finished response takes a new question on the same thread', async () => {
  const tools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
  const first = (await (await post({ model: 'scripted', input: 'Weather in Rome?', tools })).json()) as {
    id: string;
    output: Array<{ call_id: string }>;
  };
  const unanswered = await envelope(await post({ model: 'scripted', previous_response_id: first.id, input: 'And tomorrow?', tools }));
  assert.equal([unanswered.status, unanswered.error.param], [400, 'input']);
  assert.match(unanswered.error.message, new RegExp(first.output[0]!.call_id));
  const answered = (await (
    await post({
      model: 'scripted',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: first.output[0]!.call_id, output: '"sunny"' }],
      tools,
    })
  ).json()) as { id: string; status: string; output_text: string };
  assert.equal([answered.status, answered.output_text], ['completed', 'get_weather returned: "sunny"']);
  const next = (await (await post({ model: 'scripted', previous_response_id: answered.id, input: 'Thanks!' })).json()) as {
    status: string;
    output_text: string;
  };
  assert.is(next.status, 'completed');
  assert.match(next.output_text, /^You said: "Thanks!"/);
});

test('a streamed response is SSE numbered from 0; a replay from starting_after sends only the rest', async () => {
  const live = await (await post({ model: 'scripted', input: 'Count with me', stream: true })).text();
  const frames = live.split('\n\n').filter((frame) => frame !== '');
  const data = frames.map(
    (frame) => JSON.parse(frame.slice(frame.indexOf('data: ') + 6)) as { type: string; sequence_number: number; response?: { id: string } },
  );
  assert.equal(
    data.map((event) => event.sequence_number),
    data.map((_, index) => index),
  );
  assert.ok(frames.every((frame, index) => frame.startsWith(`event: ${data[index]!.type}\n`)));
  const id = data[0]!.response!.id;
  const replay = await (await t.request(`/responses/${id}?stream=true&starting_after=5`)).text();
  const replayed = replay.split('\n\n').filter((frame) => frame !== '');
  assert.equal(replayed, frames.slice(6));
});

test('a retried POST with the same Idempotency-Key gets the same response, streamed or not', async () => {
  const headers = { 'idempotency-key': 'responses-retry-1' };
  const body = JSON.stringify({ model: 'scripted', input: 'Once only' });
  const first = (await (await t.request('/responses', { method: 'POST', body, headers })).json()) as { id: string };
  const again = (await (await t.request('/responses', { method: 'POST', body, headers })).json()) as { id: string };
  assert.is(again.id, first.id);
  const streamed = JSON.stringify({ model: 'scripted', input: 'Stream once', stream: true });
  const streamHeaders = { 'idempotency-key': 'responses-retry-2' };
  const live = await (await t.request('/responses', { method: 'POST', body: streamed, headers: streamHeaders })).text();
  const replay = await (await t.request('/responses', { method: 'POST', body: streamed, headers: streamHeaders })).text();
  assert.is(replay, live);
});

test('deltas carry obfuscation padding them to a multiple of 16 characters, the same on a replay; include_obfuscation: false leaves it out', async () => {
  const deltasOf = (text: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith('data: ') && line.includes('.delta"'))
      .map((line) => JSON.parse(line.slice(6)) as { delta: string; obfuscation?: string });
  const live = await (await post({ model: 'scripted', input: 'What is the weather in Paris?', stream: true, tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }] })).text();
  const deltas = deltasOf(live);
  assert.ok(deltas.length > 0);
  for (const { delta, obfuscation } of deltas) assert.is((delta.length + (obfuscation ?? 'missing').length) % 16, 0, `${delta} + ${obfuscation}`);
  const id = /"id":"(resp_\w+)"/.exec(live)![1]!;
  assert.is(await (await t.request(`/responses/${id}?stream=true`)).text(), live, 'a replay has the same bytes');
  const plain = await (await post({ model: 'scripted', input: 'Hello', stream: true, stream_options: { include_obfuscation: false } })).text();
  assert.equal(deltasOf(plain).filter((delta) => 'obfuscation' in delta), []);
  assert.ok(deltasOf(plain).length > 0);
});

test('input items list newest first and paginate', async () => {
  const created = (await (
    await post({
      model: 'scripted',
      input: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'One' },
        { role: 'user', content: [{ type: 'input_text', text: 'Two' }] },
      ],
    })
  ).json()) as { id: string; instructions: string | null };
  const page = (await (await t.request(`/responses/${created.id}/input_items?limit=2`)).json()) as {
    data: Array<{ role: string }>;
    has_more: boolean;
  };
  assert.equal(
    page.data.map((item) => item.role),
    ['user', 'user'],
  );
  assert.is(page.has_more, true);
});

test('DELETE forgets a response: deleted: true, then every read of it is a 404, and a continuation from it previous_response_not_found', async () => {
  const created = (await (await post({ model: 'scripted', input: 'Hello there' })).json()) as { id: string };
  const deleted = await t.request(`/responses/${created.id}`, { method: 'DELETE' });
  assert.is(deleted.status, 200);
  assert.equal(await deleted.json(), { id: created.id, object: 'response', deleted: true });
  for (const path of [`/responses/${created.id}`, `/responses/${created.id}/input_items`, `/responses/${created.id}?stream=true`]) {
    const gone = await envelope(await t.request(path));
    assert.equal([gone.status, gone.error.type], [404, 'invalid_request_error'], path);
  }
  const again = await envelope(await t.request(`/responses/${created.id}`, { method: 'DELETE' }));
  assert.is(again.status, 404);
  const continued = await envelope(await post({ model: 'scripted', previous_response_id: created.id, input: 'And then?' }));
  assert.equal([continued.status, continued.error.param, continued.error.code], [400, 'previous_response_id', 'previous_response_not_found']);
});

test('deleting a response still running cancels its run: its open stream ends with it cancelled, it does not go on unseen', async () => {
  const stream = await post({ model: 'scripted', input: 'Tell me a long story.', stream: true, background: true, metadata: { scenario: 'slow' } });
  const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!text.includes('event: response.output_text.delta')) {
    const { done, value } = await reader.read();
    assert.not.ok(done, 'the stream ended before its first delta');
    text += value;
  }
  const id = /"id":"(resp_\w+)"/.exec(text)![1]!;
  assert.is((await t.request(`/responses/${id}`, { method: 'DELETE' })).status, 200);
  for (let read = await reader.read(); !read.done; read = await reader.read()) text += read.value;
  const events = [...text.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
  // The Responses stream has no event for a cancel: it ends response.incomplete, status cancelled.
  assert.is(events.at(-1), 'response.incomplete');
  assert.match(text.slice(text.lastIndexOf('event: response.incomplete')), '"status":"cancelled"');
  assert.is((await t.request(`/responses/${id}`)).status, 404);
});

test.run();
