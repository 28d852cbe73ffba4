// Differential property test for the Responses adapter: the official `ResponseStream` is the
// oracle. Every generated Responses stream goes through it (NDJSON, its own format) and through
// our adapter (SSE in random chunks); the final response's text, function calls and outputs
// must be equal, and the statecharts' finals must say the same.
import fc from 'fast-check';
import { ResponseStream } from 'openai/lib/responses/ResponseStream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream, type Message } from '../src/index.ts';
import { byteChunks } from '../src/testing/index.ts';
import { responseEvents, toNDJSON, toSSE, type ItemPlan, type ResponsePlan } from './helpers/responsesEvents.ts';
import { propertyRuns } from './helpers/propertyRuns.ts';

const piece = fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'é', '€', '😀', '\n', '"', '\\'), minLength: 0, maxLength: 6 });
const pieces = fc.array(piece, { minLength: 0, maxLength: 6 });

const textPart = pieces.chain((text) =>
  fc.record({
    text: fc.constant(text),
    citations: fc.array(
      fc.record({
        file_id: fc.constantFrom('file_a', 'file_b'),
        filename: fc.constant('notes.txt'),
        index: fc.integer({ min: 0, max: text.join('').length }),
      }),
      { maxLength: 2 },
    ),
  }),
);
const part = fc.oneof(
  { weight: 4, arbitrary: textPart },
  { weight: 1, arbitrary: fc.record({ refusal: fc.array(piece, { minLength: 1, maxLength: 3 }) }) },
);

const item = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant('message' as const), parts: fc.array(part, { minLength: 1, maxLength: 2 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('function_call' as const),
      name: fc.constantFrom('get_weather', 'lookup'),
      arguments: fc.array(fc.constantFrom('{', '"city"', ':', '"Paris"', '}', ' '), { maxLength: 6 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('code_interpreter_call' as const),
      code: fc.array(fc.constantFrom('print(', '1', '+', '2', ')'), { maxLength: 5 }),
      logs: fc.constantFrom('3', '', 'Error'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('file_search_call' as const),
      results: fc.array(
        fc.record({
          file_id: fc.constant('file_a'),
          filename: fc.constant('notes.txt'),
          score: fc.double({ min: 0, max: 1, noNaN: true }),
          text: piece,
        }),
        { maxLength: 2 },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('reasoning' as const), summary: pieces }) },
);

const responsePlan: fc.Arbitrary<ResponsePlan> = fc
  .record({
    items: fc.array(item, { minLength: 0, maxLength: 5 }),
    status: fc.constantFrom('completed' as const, 'completed' as const, 'incomplete' as const, 'failed' as const),
  })
  .map(({ items, status }) => ({
    id: 'resp_gen',
    status,
    // Ids are unique by position.
    items: items.map((plan, index): ItemPlan => {
      switch (plan.type) {
        case 'message':
          return { type: 'message', id: `msg_${index}`, parts: plan.parts };
        case 'function_call':
          return { type: 'function_call', id: `fc_${index}`, call_id: `call_${index}`, name: plan.name, arguments: plan.arguments };
        case 'code_interpreter_call':
          return { type: 'code_interpreter_call', id: `ci_${index}`, code: plan.code, logs: plan.logs };
        case 'file_search_call':
          return { type: 'file_search_call', id: `fs_${index}`, queries: ['q'], results: plan.results };
      }
      return { type: 'reasoning', id: `rs_${index}`, summary: plan.summary };
    }),
  }));

function ndjsonStream(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** What both must agree on: the text, the function calls, and every output item's identity and result. */
function essentials(response: { output_text?: string; status: string; output: Array<Record<string, unknown>> }) {
  return {
    status: response.status,
    output_text: response.output_text,
    functionCalls: response.output
      .filter((entry) => entry['type'] === 'function_call')
      .map(({ call_id, name, arguments: args }) => ({ call_id, name, arguments: args })),
    outputs: response.output.map((entry) => ({
      type: entry['type'],
      id: entry['id'],
      // The official SDK adds `parsed` (structured outputs) to text parts; it is not on the wire.
      content: (entry['content'] as Array<Record<string, unknown>> | undefined)?.map(({ parsed: _parsed, ...rest }) => rest),
      code: entry['code'],
      outputs: entry['outputs'],
      results: entry['results'],
      summary: entry['summary'],
    })),
  };
}

const textOf = (messages: Message[]) =>
  messages.map((message) => message.content.map((block) => (block.type === 'text' ? block.text.value : '')).join('')).join('');

// Samples in `npm test`; ten times as many under PROPERTY_RUNS=full (`npm run test:properties`, in CI).
const COMPARED_RUNS = propertyRuns(100, 1_000);
const NDJSON_RUNS = propertyRuns(25, 250);

test(`our adapter and the official ResponseStream agree on ${COMPARED_RUNS} generated Responses streams`, async () => {
  let compared = 0;
  await fc.assert(
    fc.asyncProperty(responsePlan, fc.integer({ min: 1, max: 97 }), async (plan, chunkSize) => {
      const events = responseEvents(plan);
      const theirs = await ResponseStream.fromReadableStream(ndjsonStream(toNDJSON(events))).finalResponse();
      const stream = AssistantStream.fromSSE(byteChunks(toSSE(events), chunkSize));
      const ours = await stream.finalResponse();
      assert.equal(essentials(ours as never), essentials(theirs as never));
      // The statecharts' side of the same answer.
      const run = await stream.finalRun();
      const calls = ours.output.filter((entry) => entry.type === 'function_call');
      const expectedStatus = plan.status === 'completed' ? (calls.length > 0 ? 'requires_action' : 'completed') : plan.status;
      assert.is(run.status, expectedStatus);
      assert.equal(
        run.required_action?.submit_tool_outputs.tool_calls.map((call) => call.id) ?? [],
        expectedStatus === 'requires_action' ? calls.map((call) => (call as { call_id: string }).call_id) : [],
      );
      assert.is(textOf(await stream.finalMessages()), theirs.output_text);
      compared++;
    }),
    { numRuns: COMPARED_RUNS, includeErrorInReport: true },
  );
  assert.is(compared, COMPARED_RUNS);
});

test(`the official SDK's NDJSON of Responses events reads the same through fromReadableStream (${NDJSON_RUNS} streams)`, async () => {
  await fc.assert(
    fc.asyncProperty(responsePlan, async (plan) => {
      const events = responseEvents(plan);
      const fromSSE = await AssistantStream.fromSSE(byteChunks(toSSE(events), 64)).finalResponse();
      const fromNDJSON = await AssistantStream.fromReadableStream(ndjsonStream(toNDJSON(events))).finalResponse();
      assert.equal(fromNDJSON, fromSSE);
    }),
    { numRuns: NDJSON_RUNS, includeErrorInReport: true },
  );
});

test.run();
