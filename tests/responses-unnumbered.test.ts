// Responses streams from before the API numbered its events (it added `sequence_number` in
// 2025) are read in the tolerant lifecycle, numbered by their order, as the official SDK reads
// them; `lifecycle: 'strict'` refuses them with a typed error that says why (issue 27, item 6).
import { existsSync, readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient, AssistantStream, AssistantStreamError } from '../src/index.ts';
import { textSource } from '../src/testing/index.ts';
import { fakeFetch } from './helpers/fakeFetch.ts';
import { responseEvents } from './helpers/responsesEvents.ts';

const base = 'http://127.0.0.1:9/v1';
const sseOf = (events: object[]) => events.map((event) => `event: ${(event as { type: string }).type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
const withoutNumbers = (events: object[]) => events.map(({ sequence_number: _, ...event }: { sequence_number?: number }) => event);

// A small answer of our own, as the API streamed it before it numbered events.
const TEXT = ['Paris ', 'is the ', 'capital.'];
const unnumberedEvents = withoutNumbers(responseEvents({ id: 'resp_old', items: [{ type: 'message', id: 'msg_old', parts: [{ text: TEXT }] }] }));
const unnumbered = sseOf(unnumberedEvents);
const typesOf = (events: object[]) => events.map((event) => (event as { type: string }).type);

/** Listens to every Responses event named in `types`, recording each name as it is heard. */
function hearResponsesEvents(stream: AssistantStream, types: readonly string[]): string[] {
  const heard: string[] = [];
  for (const type of new Set(types)) stream.on(type as 'response.created', () => heard.push(type));
  return heard;
}

async function outcome(stream: AssistantStream): Promise<{ text: string; heard: string[]; error: AssistantStreamError | undefined }> {
  let text = '';
  const heard = hearResponsesEvents(stream, typesOf(unnumberedEvents));
  stream.on('textDelta', (delta) => (text += delta.value ?? ''));
  const error = await stream.done().then(
    () => undefined,
    (thrown: unknown) => thrown as AssistantStreamError,
  );
  return { text, heard, error };
}

test('an unnumbered Responses stream is read in the tolerant lifecycle (the default)', async () => {
  const read = await outcome(AssistantStream.fromSSE(textSource(unnumbered)));
  assert.is(read.error, undefined, read.error?.message);
  assert.is(read.text, TEXT.join(''));
});

test('lifecycle strict refuses it at its first event, with a schema error that says why', async () => {
  const read = await outcome(AssistantStream.fromSSE(textSource(unnumbered), { lifecycle: 'strict' }));
  assert.instance(read.error, AssistantStreamError);
  assert.equal([read.error!.kind, read.error!.eventIndex, read.error!.path], ['schema', 1, 'data.sequence_number']);
  assert.match(read.error!.message, /sequence_number is missing/);
  assert.match(read.error!.message, /tolerant/);
});

test('numbered and unnumbered events in one stream are a schema error, either way round', async () => {
  const numbered = responseEvents({ id: 'resp_mix', items: [{ type: 'message', id: 'msg_mix', parts: [{ text: TEXT }] }] });
  const late = [...withoutNumbers(numbered.slice(0, 3)), ...numbered.slice(3)];
  const early = [...numbered.slice(0, 3), ...withoutNumbers(numbered.slice(3))];
  for (const events of [late, early]) {
    const read = await outcome(AssistantStream.fromSSE(textSource(sseOf(events))));
    assert.equal([read.error?.kind, read.error?.eventIndex, read.error?.path], ['schema', 4, 'data.sequence_number']);
  }
});

test('its events are numbered by their order: startingAfter mutes those at or below it', async () => {
  const all = await outcome(AssistantStream.fromSSE(textSource(unnumbered)));
  assert.equal(all.heard, typesOf(unnumberedEvents));
  const resumed = await outcome(AssistantStream.fromSSE(textSource(unnumbered), { startingAfter: 2 }));
  assert.is(resumed.error, undefined);
  assert.equal(resumed.heard, all.heard.slice(3));
  assert.is(resumed.text, TEXT.join(''), 'the text deltas come after event 2');
});

// The real recording (pydantic-ai's cassette of the live API, 2025-03-27): read from ../shared,
// never copied into the repository.
const RECORDING = new URL('../../shared/responses-fixtures/pydantic-no-sequence-numbers.sse', import.meta.url);
const recorded = existsSync(RECORDING);
if (!recorded) console.log(`skipped: the recording without sequence numbers (${RECORDING.pathname} is absent)`);

(recorded ? test : test.skip)('the real recording without sequence numbers: accepted as the official SDK accepts it, refused strict', async () => {
  const sse = readFileSync(RECORDING, 'utf8');
  assert.not.match(sse, /sequence_number/, 'the recording is unnumbered');
  const answer = () => new Response(sse, { headers: { 'content-type': 'text/event-stream' } });

  const official = new OpenAI({ apiKey: 'sk-test', baseURL: base, fetch: fakeFetch(answer).fetch, maxRetries: 0 });
  const theirs = official.responses.stream({ model: 'gpt-4o', input: 'capital of France?' });
  const theirEvents: string[] = [];
  theirs.on('event', (event) => theirEvents.push(event.type));
  const theirResponse = await theirs.finalResponse();
  const theirCall = theirResponse.output.find((item) => item.type === 'function_call');
  assert.ok(theirCall !== undefined, 'the oracle reads the function call');

  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch: fakeFetch(answer).fetch, maxRetries: 0 });
  const ours = client.responses.stream({ model: 'gpt-4o', input: 'capital of France?' });
  const ourEvents = hearResponsesEvents(ours, theirEvents);
  let ourArguments: string | undefined;
  ours.on('toolCallDone', (call) => {
    if (call.type === 'function') ourArguments = call.function.arguments;
  });
  await ours.done();
  assert.equal(ourEvents, theirEvents, 'the same events, in the same order');
  assert.is(ourArguments, theirCall.arguments);
  assert.is(ours.currentResponse()?.id, theirResponse.id);
  assert.is(ours.currentResponse()?.status, theirResponse.status);

  const strict = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch: fakeFetch(answer).fetch, maxRetries: 0, lifecycle: 'strict' });
  const refused = await strict.responses.stream({ model: 'gpt-4o', input: 'capital of France?' }).done().then(
    () => undefined,
    (error: unknown) => error as AssistantStreamError,
  );
  assert.equal([refused?.kind, refused?.eventIndex, refused?.path], ['schema', 1, 'data.sequence_number']);
});

test.run();
