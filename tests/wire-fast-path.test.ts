// The hand-checked shapes of text and tool-call fragments must be a strict subset of what the
// zod schemas accept, with the same value.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isTextFragment, isToolCallFragment, MessageDeltaEventSchema, RunStepDeltaSchema } from '../src/index.ts';

const anything = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean(), fc.constant([]), fc.constant({}));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 15, arbitrary: arb }, { weight: 1, arbitrary: anything });
const extraKeys = fc.dictionary(fc.constantFrom('extra', 'annotations', '__proto__', 'constructor', 'id'), anything, { maxKeys: 1 });
const withExtra = <T extends object>(arb: fc.Arbitrary<T>) =>
  fc.tuple(arb, fc.oneof({ weight: 12, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extraKeys })).map(([value, extra]) => JSON.parse(JSON.stringify({ ...value, ...extra })));

const textFragment = withExtra(
  fc.record({
    id: maybe(fc.constantFrom('msg_1', '')),
    object: maybe(fc.constantFrom('thread.message.delta', 'thread.message')),
    delta: withExtra(
      fc.record({
        content: maybe(
          fc.array(
            withExtra(fc.record({ index: maybe(fc.integer({ min: -2, max: 3 })), type: maybe(fc.constantFrom('text', 'image_file')), text: maybe(withExtra(fc.record({ value: maybe(fc.string()) }))) })),
            { maxLength: 2 },
          ),
        ),
      }),
    ),
  }),
);

const toolFragment = withExtra(
  fc.record({
    id: maybe(fc.constant('step_1')),
    object: maybe(fc.constantFrom('thread.run.step.delta')),
    delta: withExtra(
      fc.record({
        step_details: maybe(
          withExtra(
            fc.record({
              type: maybe(fc.constantFrom('tool_calls', 'message_creation')),
              tool_calls: maybe(
                fc.array(
                  fc.oneof(
                    withExtra(fc.record({ index: maybe(fc.nat(3)), type: maybe(fc.constant('function')), function: maybe(withExtra(fc.record({ arguments: maybe(fc.string()) }))) })),
                    withExtra(fc.record({ index: maybe(fc.nat(3)), type: maybe(fc.constant('code_interpreter')), code_interpreter: maybe(withExtra(fc.record({ input: maybe(fc.string()) }))) })),
                  ),
                  { maxLength: 2 },
                ),
              ),
            }),
          ),
        ),
      }),
    ),
  }),
);

test('whatever the text fast path accepts, the zod schema accepts with the same value', () => {
  let accepted = 0;
  fc.assert(
    fc.property(textFragment, (data) => {
      if (!isTextFragment(data)) return;
      accepted++;
      const parsed = MessageDeltaEventSchema.safeParse(data);
      assert.ok(parsed.success, JSON.stringify(data));
      assert.equal(parsed.data, data);
    }),
    { numRuns: 4000 },
  );
  assert.ok(accepted > 20, `the generator reaches the fast path (${accepted})`);
});

test('whatever the tool-call fast path accepts, the zod schema accepts with the same value', () => {
  let accepted = 0;
  fc.assert(
    fc.property(toolFragment, (data) => {
      if (!isToolCallFragment(data)) return;
      accepted++;
      const parsed = RunStepDeltaSchema.safeParse(data);
      assert.ok(parsed.success, JSON.stringify(data));
      assert.equal(parsed.data, data);
    }),
    { numRuns: 4000 },
  );
  assert.ok(accepted > 20, `the generator reaches the fast path (${accepted})`);
});

test('the fast path refuses a fragment carrying anything more', () => {
  const base = { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value: 'x' } }] } };
  assert.ok(isTextFragment(base));
  assert.not.ok(isTextFragment({ ...base, extra: 1 }));
  assert.not.ok(isTextFragment(JSON.parse('{"id":"msg_1","object":"thread.message.delta","delta":{"content":[{"index":0,"type":"text","text":{"value":"x","__proto__":{}}}]}}')));
  assert.not.ok(isTextFragment({ ...base, delta: { content: [{ index: 0, type: 'text', text: { value: 'x', annotations: [] } }] } }));
});

test.run();
