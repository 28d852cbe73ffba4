import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ResponsesTranslator } from '../src/index.ts';
import { responseEventFrame } from '../src/server/responses/record.ts';
import { CreateResponseRequest } from '../src/server/responses/requests.ts';
import { newResponse, obfuscationSeed } from '../src/server/responses/responseObject.ts';
import { ResponseWriter } from '../src/server/responses/writer.ts';
import { keysOf, LIVE_RECORDINGS_DIR, liveRecordings, sseEvents, type KeysByLabel, type LiveRecording } from './helpers/liveRecordings.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// The Response objects and the `response.*` events the embedded server makes carry every key the
// live API's do: compared, kind by kind, with real recordings of the live API (28 streams from
// three public projects, ../shared/responses-fixtures). A strict client or validator written
// against the live API must accept ours.

/**
 * Keys a recording has that the server leaves out on purpose: each is conditional on the live API
 * too, and the spec gives no value that means "none" for it.
 */
const NOT_OURS: Readonly<Record<string, readonly string[]>> = {
  // Azure OpenAI's content filter results (two Azure recordings): not in OpenAI's API or spec.
  response: ['content_filters'],
  // The namespace of a function loaded through tool search (`defer_loading`); a string in the spec.
  'item:function_call': ['namespace'],
};

/** What every kind of object our server emits must be compared on (the scenarios below make them all). */
const COVERED = [
  'response',
  'response.reasoning',
  'response.text',
  'response.usage',
  'response.usage.input_tokens_details',
  'response.usage.output_tokens_details',
  'response.error',
  'response.incomplete_details',
  'tool:function',
  'tool:file_search',
  'tool:code_interpreter',
  'item:message',
  'item:function_call',
  'item:file_search_call',
  'item:code_interpreter_call',
  'part:output_text',
  'annotation:file_citation',
  'event:response.created',
  'event:response.queued',
  'event:response.in_progress',
  'event:response.completed',
  'event:response.failed',
  'event:response.incomplete',
  'event:response.output_item.added',
  'event:response.output_item.done',
  'event:response.content_part.added',
  'event:response.content_part.done',
  'event:response.output_text.delta',
  'event:response.output_text.done',
  'event:response.output_text.annotation.added',
  'event:response.function_call_arguments.delta',
  'event:response.function_call_arguments.done',
  'event:response.code_interpreter_call.in_progress',
  'event:response.code_interpreter_call_code.delta',
  'event:response.code_interpreter_call_code.done',
  'event:response.code_interpreter_call.interpreting',
  'event:response.code_interpreter_call.completed',
  'event:response.file_search_call.in_progress',
  'event:response.file_search_call.searching',
  'event:response.file_search_call.completed',
];

/** Every key a recording has (by label) that ours lack, as readable lines. */
function missingKeys(recorded: KeysByLabel, ours: KeysByLabel, where: string): string[] {
  const missing: string[] = [];
  for (const [label, keys] of recorded) {
    const mine = ours.get(label);
    if (mine === undefined) continue;
    for (const key of keys) if (!mine.has(key) && !(NOT_OURS[label] ?? []).includes(key)) missing.push(`${where}: ${label} lacks '${key}'`);
  }
  return missing;
}

const recordings = liveRecordings();

if (recordings === undefined) {
  console.log(`skipped: the live API recordings are not at ${LIVE_RECORDINGS_DIR} (the folder beside the repository, ../shared/responses-fixtures)`);
  test.skip('the server emits every key the live recordings have');
} else {
  defineTests(recordings);
}

function defineTests(recordings: LiveRecording[]): void {
  let t: TestServer;
  let vectorStoreId = '';
  const ours: KeysByLabel = new Map();

  test.before(async () => {
    t = await startTestServer();
    const file = await t.openai.files.create({ file: new File(['The travel handbook says: hotels up to 150 euros a night are fine.'], 'handbook.txt'), purpose: 'assistants' });
    const store = await t.openai.vectorStores.create({ name: 'handbook', file_ids: [file.id] });
    await t.openai.vectorStores.files.poll(store.id, file.id, { pollIntervalMs: 5 });
    vectorStoreId = store.id;
    const weather = { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
    const scenarios = [
      { model: 'scripted', input: 'Hello there' },
      { model: 'scripted', input: 'What is the weather in Paris?', tools: [weather] },
      { model: 'scripted', input: 'What is 2**10 + 3*7?', tools: [{ type: 'code_interpreter', container: { type: 'auto' } }] },
      { model: 'scripted', input: 'What does the handbook say about hotels?', tools: [{ type: 'file_search', vector_store_ids: [vectorStoreId] }] },
      { model: 'scripted', input: 'Hello in the background', background: true },
      { model: 'scripted', input: 'Fail please', metadata: { scenario: 'failed' } },
      { model: 'scripted', input: 'Stop early please', metadata: { scenario: 'incomplete' } },
    ];
    for (const body of scenarios) {
      const text = await (await t.request('/responses', { method: 'POST', body: JSON.stringify({ ...body, stream: true }) })).text();
      const events = sseEvents(text);
      keysOf(events, ours);
      const id = (events[0]!['response'] as { id: string }).id;
      keysOf([{ type: 'retrieved', response: await t.openai.responses.retrieve(id) }], ours);
    }
  });

  test.after(async () => {
    await t.close();
    assert.equal(t.internalErrors, []);
  });

  test('the server makes every kind of object and event the comparison covers', () => {
    assert.equal(
      COVERED.filter((label) => !ours.has(label)),
      [],
    );
  });

  test('every Response object and response.* event of the server has every key the live recordings have', () => {
    const recorded = new Map<string, KeysByLabel>(recordings.map((recording) => [recording.file, keysOf(recording.events)]));
    // Tools are compared by the two tests after this one: the live API echoes what was sent.
    const missing = [...recorded].flatMap(([file, keys]) => missingKeys(keys, ours, file)).filter((line) => !line.includes(': tool:'));
    assert.equal(missing, []);
    // The comparison did compare: each covered kind appears in some recording.
    const seen = new Set([...recorded.values()].flatMap((keys) => [...keys.keys()]));
    assert.equal(
      COVERED.filter((label) => !seen.has(label) && label !== 'response.error'),
      [],
    );
  });

  test('tools are echoed as sent: each recorded function, file_search and code_interpreter tool comes back as the live API echoed it', async () => {
    for (const { file, events } of recordings) {
      const created = events.find((event) => event.type === 'response.created')?.['response'] as { tools?: Array<Record<string, unknown>> } | undefined;
      const tools = (created?.tools ?? []).filter((tool) => ['function', 'file_search', 'code_interpreter'].includes(String(tool['type'])));
      if (tools.length === 0) continue;
      // Our vector store stands in for theirs; everything else is sent as the recording echoed it.
      const sent = tools.map((tool) => (tool['type'] === 'file_search' ? { ...tool, vector_store_ids: [vectorStoreId] } : tool));
      const response = await t.openai.responses.create({ model: 'scripted', input: 'Hello', tools: sent as never });
      // Every key and value the live API echoed (a newer API fills in more, e.g. `output_schema: null`).
      const echoed = (response.tools as unknown as Array<Record<string, unknown>>).map((tool, index) =>
        Object.fromEntries(Object.keys(sent[index]!).map((key) => [key, tool[key]])),
      );
      assert.equal(echoed, sent, file);
    }
  });

  test('a tool sent with only what it needs is echoed with every key the live API fills in', async () => {
    const response = await t.openai.responses.create({
      model: 'scripted',
      input: 'Hello',
      tools: [
        { type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } } as never,
        { type: 'file_search', vector_store_ids: [vectorStoreId] },
        { type: 'code_interpreter', container: { type: 'auto' } },
      ],
    });
    const echoed = keysOf([{ type: 'echo', response }]);
    const recorded: KeysByLabel = new Map();
    for (const { events } of recordings) keysOf(events, recorded);
    const onlyTools = new Map([...recorded].filter(([label]) => label.startsWith('tool:')));
    // Keys a function tool has only when sent (tool search, programmatic calling) are not filled in.
    const sentOnly = new Set(['allowed_callers', 'defer_loading']);
    assert.equal(
      missingKeys(onlyTools, echoed, 'minimal tools').filter((line) => ![...sentOnly].some((key) => line.endsWith(`'${key}'`))),
      [],
    );
    assert.equal(response.tools, [
      { type: 'function', name: 'lookup', description: null, output_schema: null, parameters: { type: 'object', properties: {} }, strict: true },
      { type: 'file_search', vector_store_ids: [vectorStoreId], filters: null, max_num_results: 20, ranking_options: { ranker: 'auto', score_threshold: 0 } },
      { type: 'code_interpreter', container: { type: 'auto' } },
    ]);
  });

  test("every recording replayed through the server's Response writer comes out with every key it went in with", () => {
    const missing: string[] = [];
    for (const { file, events } of recordings) {
      const created = events[0]?.['response'] as Record<string, unknown>;
      const supported = ((created['tools'] as Array<{ type: string }>) ?? []).filter((tool) => ['function', 'code_interpreter'].includes(tool.type));
      const body = CreateResponseRequest.parse({ model: created['model'], tools: supported, background: created['background'] ?? false });
      const response = newResponse(body, undefined);
      const frames: string[] = [];
      const seed = obfuscationSeed(response.id);
      const writer = new ResponseWriter(response, (event) => frames.push(responseEventFrame(event, frames.length, seed)), { query: 'a question' });
      const translator = new ResponsesTranslator((event) => writer.take(event.type, (event as { data?: unknown }).data));
      // The one recording made before the API numbered its events is numbered here.
      for (const [index, event] of events.entries()) translator.feed({ sequence_number: index, ...event }, index + 1);
      const written = keysOf(sseEvents(frames.join('')));
      assert.ok(written.has('event:response.created'), `${file}: the writer wrote the response`);
      missing.push(...missingKeys(keysOf(events), written, file));
    }
    assert.equal(missing, []);
  });
}

test.run();
