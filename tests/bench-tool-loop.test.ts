import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runToolLoop, TOOL_LOOP_CONTENDERS } from '../bench/toolLoop.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// The rollout `npm run bench:ws` measures, short: every contender (ours and the official SDK's,
// over HTTP and over WebSocket) gets every answer right, so the benchmark compares equal work.

const test = suite<{ t: TestServer }>('bench: tool loop');
test.before(async (context) => {
  context.t = await startTestServer();
});
test.after(async ({ t }) => {
  await t.close();
  assert.equal(t.internalErrors, []);
});

for (const contender of TOOL_LOOP_CONTENDERS) {
  test(`${contender}: two tool calls, four responses, each answer the one expected`, async ({ t }) => {
    const { responses } = await runToolLoop(contender, t.server.url, 2);
    assert.is(responses, 4);
  });
}

test('a contender whose answers are wrong fails the rollout', async ({ t }) => {
  // No such model behaviour: a server that answers without calling the function is not measured.
  const other = await startTestServer({ model: { nextStep: () => ({ type: 'message', text: 'No tools today.' }) } });
  try {
    await runToolLoop('ours-ws', other.server.url, 1).then(
      () => assert.unreachable('the rollout should fail'),
      (error: Error) => assert.match(error.message, /made no function call/),
    );
  } finally {
    await other.close();
  }
  assert.ok(t);
});

test.run();
