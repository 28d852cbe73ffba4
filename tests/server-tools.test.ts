import { toFile } from 'openai';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { functionTool, startTestServer, type TestServer } from './helpers/server.ts';
import { collapseDeltas, streamRequest } from './helpers/streams.ts';

const test = suite<{ t: TestServer }>('tools');

test.before(async (context) => {
  context.t = await startTestServer();
});
test.after(async ({ t }) => {
  assert.equal(t.internalErrors, []);
  await t.close();
});

test('code interpreter: the expression is streamed as Python, really evaluated, and the answer states the value', async ({ t }) => {
  const assistant = await t.openai.beta.assistants.create({ model: 'scripted', tools: [{ type: 'code_interpreter' }] });
  const thread = await t.openai.beta.threads.create({ messages: [{ role: 'user', content: 'What is 2**10 + 3*7?' }] });
  const stream = t.openai.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  const names: string[] = [];
  stream.on('event', ({ event }) => names.push(event));
  const inputs: string[] = [];
  stream.on('toolCallDelta', (delta) => {
    if (delta.type === 'code_interpreter' && delta.code_interpreter?.input) inputs.push(delta.code_interpreter.input);
  });
  const run = await stream.finalRun();
  assert.is(run.status, 'completed');
  assert.equal(collapseDeltas(names), [
    'thread.run.created', 'thread.run.queued', 'thread.run.in_progress',
    'thread.run.step.created', 'thread.run.step.in_progress', 'thread.run.step.delta…', 'thread.run.step.completed',
    'thread.run.step.created', 'thread.run.step.in_progress',
    'thread.message.created', 'thread.message.in_progress', 'thread.message.delta…', 'thread.message.completed',
    'thread.run.step.completed', 'thread.run.completed',
  ]);
  assert.ok(inputs.length > 1, 'the code arrives in fragments');
  assert.is(inputs.join(''), 'print(2**10 + 3*7)');
  const [toolStep] = await stream.finalRunSteps();
  const details = toolStep!.step_details;
  assert.is(details.type, 'tool_calls');
  if (details.type !== 'tool_calls') return;
  assert.equal(details.tool_calls[0], {
    id: details.tool_calls[0]!.id,
    type: 'code_interpreter',
    code_interpreter: { input: 'print(2**10 + 3*7)', outputs: [{ type: 'logs', logs: '1045' }] },
  });
  const [message] = await stream.finalMessages();
  assert.equal(message!.content, [{ type: 'text', text: { value: 'The result of 2**10 + 3*7 is 1045.', annotations: [] } }]);
});

test('code interpreter reports a Python error in the logs and the answer', async ({ t }) => {
  const assistant = await t.openai.beta.assistants.create({ model: 'scripted', tools: [{ type: 'code_interpreter' }] });
  const run = await t.openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'and 7 // 0?' }] } });
  const steps = await t.openai.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id, order: 'asc' });
  const details = steps.data[0]!.step_details;
  assert.ok(details.type === 'tool_calls' && details.tool_calls[0]?.type === 'code_interpreter');
  if (details.type !== 'tool_calls' || details.tool_calls[0]?.type !== 'code_interpreter') return;
  assert.equal(details.tool_calls[0].code_interpreter.outputs, [{ type: 'logs', logs: 'ZeroDivisionError: integer division or modulo by zero' }]);
  const [answer] = (await t.openai.beta.threads.messages.list(run.thread_id)).data;
  assert.equal(answer!.content[0], {
    type: 'text',
    text: { value: 'Computing 7 // 0 raised ZeroDivisionError: integer division or modulo by zero.', annotations: [] },
  });
});

test('two named function tools are called in parallel in one step; the answer quotes both outputs verbatim', async ({ t }) => {
  const assistant = await t.openai.beta.assistants.create({
    model: 'scripted',
    tools: [functionTool('get_weather', 'city'), functionTool('get_time', 'city'), functionTool('book_flight', 'destination')],
  });
  const thread = await t.openai.beta.threads.create({ messages: [{ role: 'user', content: 'What is the weather and the time in New York?' }] });
  const run = await t.openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.is(run.status, 'requires_action');
  const calls = run.required_action!.submit_tool_outputs.tool_calls;
  assert.equal(calls.map((call) => [call.function.name, call.function.arguments]), [
    ['get_weather', '{"city":"New York"}'],
    ['get_time', '{"city":"New York"}'],
  ]);
  const steps = await t.openai.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
  assert.is(steps.data.length, 1, 'both calls are in one step');
  const done = await t.openai.beta.threads.runs.submitToolOutputsAndPoll(run.id, {
    thread_id: thread.id,
    tool_outputs: [
      { tool_call_id: calls[0]!.id, output: 'Sunny, 25°C' },
      { tool_call_id: calls[1]!.id, output: '09:41' },
    ],
  });
  assert.is(done.status, 'completed');
  const [answer] = (await t.openai.beta.threads.messages.list(thread.id)).data;
  assert.equal(answer!.content[0], {
    type: 'text',
    text: { value: 'The tools returned:\n- get_weather: Sunny, 25°C\n- get_time: 09:41', annotations: [] },
  });
});

test('with parallel_tool_calls false the named tools are called one step at a time', async ({ t }) => {
  const assistant = await t.openai.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city'), functionTool('get_time', 'city')] });
  const thread = await t.openai.beta.threads.create({ messages: [{ role: 'user', content: 'weather and time in Rome' }] });
  let run = await t.openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id, parallel_tool_calls: false });
  const names: string[] = [];
  while (run.status === 'requires_action') {
    const calls = run.required_action!.submit_tool_outputs.tool_calls;
    names.push(calls.map((call) => call.function.name).join('+'));
    run = await t.openai.beta.threads.runs.submitToolOutputsAndPoll(run.id, {
      thread_id: thread.id,
      tool_outputs: calls.map((call) => ({ tool_call_id: call.id, output: 'ok' })),
    });
  }
  assert.equal(names, ['get_weather', 'get_time']);
  assert.is(run.status, 'completed');
});

test('tool_choice none answers without calling; a named function is called even when not mentioned', async ({ t }) => {
  const assistant = await t.openai.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city')] });
  const none = await t.openai.beta.threads.createAndRunPoll({
    assistant_id: assistant.id,
    tool_choice: 'none',
    thread: { messages: [{ role: 'user', content: 'weather in Paris' }] },
  });
  assert.is(none.status, 'completed');
  const forced = await t.openai.beta.threads.createAndRunPoll({
    assistant_id: assistant.id,
    tool_choice: { type: 'function', function: { name: 'get_weather' } },
    thread: { messages: [{ role: 'user', content: 'Hello from Lisbon' }] },
  });
  assert.is(forced.status, 'requires_action');
  assert.is(forced.required_action!.submit_tool_outputs.tool_calls[0]!.function.arguments, '{"city":"Lisbon"}');
});

test('submit_tool_outputs refuses missing, unknown and untimely outputs', async ({ t }) => {
  const assistant = await t.openai.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city')] });
  const run = await t.openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'weather in Oslo' }] } });
  const path = `/threads/${run.thread_id}/runs/${run.id}/submit_tool_outputs`;
  const post = async (body: unknown) => {
    const response = await t.request(path, { method: 'POST', body: JSON.stringify(body) });
    return [response.status, ((await response.json()) as { error?: { param: string | null } }).error?.param];
  };
  assert.equal(await post({ tool_outputs: [] }), [400, 'tool_outputs']);
  assert.equal(await post({ tool_outputs: [{ tool_call_id: 'call_nope', output: 'x' }] }), [400, 'tool_outputs[0].tool_call_id']);
  assert.equal(await post({}), [400, 'tool_outputs']);
  const callId = run.required_action!.submit_tool_outputs.tool_calls[0]!.id;
  assert.equal(await post({ tool_outputs: [{ tool_call_id: callId, output: 'rain' }] }), [200, undefined]);
  const late = await t.request(path, { method: 'POST', body: JSON.stringify({ tool_outputs: [{ tool_call_id: callId, output: 'rain' }] }) });
  assert.is(late.status, 400);
  assert.match(((await late.json()) as { error: { message: string } }).error.message, /do not accept tool outputs/);
});

test('file search: searches the vector store and quotes the best passage with a file_citation', async ({ t }) => {
  const handbook = await t.openai.files.create({
    file: await toFile(
      Buffer.from('Welcome to Acme.\n\nRefunds are paid within 14 days of a return. Keep the receipt.\n\nThe office opens at nine.'),
      'handbook.md',
    ),
    purpose: 'assistants',
  });
  const store = await t.openai.vectorStores.create({ name: 'docs', file_ids: [handbook.id] });
  await t.openai.vectorStores.files.poll(store.id, handbook.id, { pollIntervalMs: 5 });
  const assistant = await t.openai.beta.assistants.create({
    model: 'scripted',
    tools: [{ type: 'file_search' }],
    tool_resources: { file_search: { vector_store_ids: [store.id] } },
  });
  const thread = await t.openai.beta.threads.create({ messages: [{ role: 'user', content: 'How long do refunds take?' }] });
  const { stream } = streamRequest(t, `/threads/${thread.id}/runs?include[]=step_details.tool_calls[*].file_search.results[*].content`, {
    assistant_id: assistant.id,
  });
  const run = await stream.finalRun();
  assert.is(run.status, 'completed');
  const [searchStep] = await stream.finalRunSteps();
  const details = searchStep!.step_details;
  assert.ok(details.type === 'tool_calls' && details.tool_calls[0]?.type === 'file_search');
  if (details.type !== 'tool_calls' || details.tool_calls[0]?.type !== 'file_search') return;
  const [result] = details.tool_calls[0].file_search.results ?? [];
  assert.equal([result?.file_id, result?.file_name], [handbook.id, 'handbook.md']);
  assert.ok(result!.score! > 0 && result!.score! <= 1);
  assert.match(result!.content![0]!.text!, /Refunds are paid within 14 days/);

  const [message] = await stream.finalMessages();
  const text = message!.content[0]!;
  assert.is(text.type, 'text');
  if (text.type !== 'text') return;
  assert.is(text.text.value, 'According to handbook.md: "Refunds are paid within 14 days of a return."【0:0†source】');
  const [citation] = text.text.annotations;
  assert.equal(citation, {
    type: 'file_citation',
    text: '【0:0†source】',
    start_index: text.text.value.indexOf('【'),
    end_index: text.text.value.length,
    file_citation: { file_id: handbook.id },
  });
  assert.is(text.text.value.slice(citation!.start_index, citation!.end_index), citation!.text);

  // Without include[], the step shows the results without their text.
  const listed = await t.openai.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, order: 'asc' });
  const listedDetails = listed.data[0]!.step_details;
  assert.ok(listedDetails.type === 'tool_calls' && listedDetails.tool_calls[0]?.type === 'file_search');
  if (listedDetails.type === 'tool_calls' && listedDetails.tool_calls[0]?.type === 'file_search') {
    assert.is(listedDetails.tool_calls[0].file_search.results?.[0]?.content, undefined);
  }
});

test('file search with nothing relevant says so', async ({ t }) => {
  const notes = await t.openai.files.create({ file: await toFile(Buffer.from('Bananas are yellow.'), 'notes.txt'), purpose: 'assistants' });
  const store = await t.openai.vectorStores.create({ file_ids: [notes.id] });
  await t.openai.vectorStores.files.poll(store.id, notes.id, { pollIntervalMs: 5 });
  const assistant = await t.openai.beta.assistants.create({ model: 'scripted', tools: [{ type: 'file_search' }] });
  const run = await t.openai.beta.threads.createAndRunPoll({
    assistant_id: assistant.id,
    thread: { messages: [{ role: 'user', content: 'quantum chromodynamics' }], tool_resources: { file_search: { vector_store_ids: [store.id] } } },
  });
  const [answer] = (await t.openai.beta.threads.messages.list(run.thread_id)).data;
  assert.equal(answer!.content[0], {
    type: 'text',
    text: { value: 'I searched the attached files for "quantum chromodynamics" and found nothing about it.', annotations: [] },
  });
});

test('one message can need all three tools: the function first, then the code, then the search, then one answer citing all', async ({ t }) => {
  const policy = await t.openai.files.create({
    file: await toFile(Buffer.from('Meals are covered up to 45 euros a day.\nHotels in Paris are covered up to 180 euros a night.'), 'policy.md'),
    purpose: 'assistants',
  });
  const store = await t.openai.vectorStores.create({ file_ids: [policy.id] });
  await t.openai.vectorStores.files.poll(store.id, policy.id, { pollIntervalMs: 5 });
  const assistant = await t.openai.beta.assistants.create({
    model: 'scripted',
    tools: [functionTool('get_weather', 'city'), { type: 'code_interpreter' }, { type: 'file_search' }],
    tool_resources: { file_search: { vector_store_ids: [store.id] } },
  });
  const question = 'Three nights in Paris: the weather, what is 3 * 180 + 3 * 45, and what does the policy say about hotels?';
  const thread = await t.openai.beta.threads.create({ messages: [{ role: 'user', content: question }] });
  const paused = await t.openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.is(paused.status, 'requires_action');
  const [call] = paused.required_action!.submit_tool_outputs.tool_calls;
  assert.equal([call!.function.name, call!.function.arguments], ['get_weather', '{"city":"Paris"}']);
  const run = await t.openai.beta.threads.runs.submitToolOutputsAndPoll(paused.id, {
    thread_id: thread.id,
    tool_outputs: [{ tool_call_id: call!.id, output: 'light rain, 14°C' }],
  });
  assert.is(run.status, 'completed');
  const steps = await t.openai.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, order: 'asc' });
  assert.equal(
    steps.data.map((step) => (step.step_details.type === 'tool_calls' ? step.step_details.tool_calls.map((c) => c.type).join('+') : 'message')),
    ['function', 'code_interpreter', 'file_search', 'message'],
  );
  const [answer] = (await t.openai.beta.threads.messages.list(thread.id)).data;
  const text = answer!.content[0]!;
  assert.ok(text.type === 'text');
  if (text.type !== 'text') return;
  assert.is(
    text.text.value,
    'get_weather returned: light rain, 14°C\n\nThe result of 3 * 180 + 3 * 45 is 675.\n\n' +
      'According to policy.md: "Hotels in Paris are covered up to 180 euros a night."【0:0†source】',
  );
  assert.equal(text.text.annotations.map((annotation) => annotation.type === 'file_citation' && annotation.file_citation.file_id), [policy.id]);
});

test('file search stays out of a run another tool answers, unless the message asks about the documents', async ({ t }) => {
  const notes = await t.openai.files.create({ file: await toFile(Buffer.from('The office opens at nine.'), 'notes.txt'), purpose: 'assistants' });
  const store = await t.openai.vectorStores.create({ file_ids: [notes.id] });
  await t.openai.vectorStores.files.poll(store.id, notes.id, { pollIntervalMs: 5 });
  const assistant = await t.openai.beta.assistants.create({
    model: 'scripted',
    tools: [{ type: 'code_interpreter' }, { type: 'file_search' }],
    tool_resources: { file_search: { vector_store_ids: [store.id] } },
  });
  const toolsUsed = async (content: string) => {
    const run = await t.openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content }] } });
    const steps = await t.openai.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id, order: 'asc' });
    return steps.data.flatMap((step) => (step.step_details.type === 'tool_calls' ? step.step_details.tool_calls.map((c) => c.type) : []));
  };
  assert.equal(await toolsUsed('What is 6 * 7?'), ['code_interpreter']);
  assert.equal(await toolsUsed('What is 6 * 7, and when does the office open according to the notes?'), ['code_interpreter', 'file_search']);
  assert.equal(await toolsUsed('When does the office open?'), ['file_search']);
});

test.run();
