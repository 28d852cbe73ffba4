// README: "From threads to conversations": the assistant's configuration is code, a thread is a
// conversation (created on the thread's first run), and each run is a chain of responses.
import { createActor, toPromise } from 'xstate';
import { createAssistantRun } from '../../src/index.ts';
import type { Setup } from './setup.ts';

export async function main({ client }: Pick<Setup, 'client'>) {
  // #region readme
  // What an assistant was on the Assistants API, kept in your code.
  const support = {
    model: 'scripted',
    instructions: 'You are a concise support agent.',
    tools: [{ type: 'function' as const, name: 'get_order', parameters: { type: 'object', properties: { order_number: { type: 'integer' } } } }],
  };
  const supportRun = createAssistantRun({
    client,
    tools: { get_order: async ({ order_number }: { order_number: number }) => ({ order_number, status: 'shipped' }) },
    responses: { assistants: { support } },
  });
  const ask = (content: string) =>
    toPromise(createActor(supportRun, { input: { threadId: 'customer-7', assistantId: 'support', additionalMessages: [{ role: 'user', content }] } }).start());
  const first = await ask('Where is my order 1234?'); // makes the thread's conversation
  const second = await ask('Thanks!'); // goes on in it: second.run.thread_id === first.run.thread_id ('conv_…')
  // #endregion
  return { first, second };
}
