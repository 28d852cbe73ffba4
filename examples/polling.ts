// The polling helpers: create (or submit, or upload), then poll until a final status. Each poll
// is the poll statechart: a retrieve, a wait (pollIntervalMs, else the server's
// openai-poll-after-ms, else 5 s), again, until the status is final.
//
//   npx tsx examples/polling.ts
import type { AssistantTool, RunStatus } from 'assistant-machines';
import { printToStdout, runIfMain, withClient, type Print } from './support.ts';

const weatherTool: AssistantTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

/** What each helper ended with. */
export interface PollingOutcome {
  uploaded: string;
  batch: { status: string; completed: number };
  createAndRunPoll: RunStatus;
  createAndPoll: RunStatus;
  submitToolOutputsAndPoll: RunStatus;
  answer: string;
}

/** Uses every polling helper once; resolves with what each ended with. */
export async function main(baseURL?: string, print: Print = printToStdout): Promise<PollingOutcome> {
  return withClient(baseURL, async (client) => {
    // Files: upload into a vector store and wait until they are indexed.
    const store = await client.vectorStores.create({ name: 'Handbook' });
    const file = await client.vectorStores.files.uploadAndPoll(store.id, new File(['Refunds are paid within 14 days.'], 'refunds.md'));
    print(`vectorStores.files.uploadAndPoll: ${file.status}\n`);
    const batch = await client.vectorStores.fileBatches.uploadAndPoll(store.id, {
      files: [new File(['The office opens at nine.'], 'office.md'), new File(['Lunch is at noon.'], 'lunch.md')],
    });
    print(`vectorStores.fileBatches.uploadAndPoll: ${batch.status} (${batch.file_counts.completed} files)\n`);

    const assistant = await client.beta.assistants.create({
      model: 'scripted',
      tools: [{ type: 'file_search' }, weatherTool],
      tool_resources: { file_search: { vector_store_ids: [store.id] } },
    });

    // A new thread and its run, polled until final.
    const searched = await client.beta.threads.createAndRunPoll({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'How fast are refunds paid?' }] },
    });
    print(`threads.createAndRunPoll: ${searched.status}\n`);

    // A run on an existing thread, polled until it needs the function's output...
    await client.beta.threads.messages.create(searched.thread_id, { role: 'user', content: 'And the weather in Oslo?' });
    const paused = await client.beta.threads.runs.createAndPoll(searched.thread_id, { assistant_id: assistant.id }, { pollIntervalMs: 50 });
    print(`runs.createAndPoll: ${paused.status}\n`);

    // ...then given it, and polled again until the answer is there.
    const calls = paused.required_action?.submit_tool_outputs.tool_calls ?? [];
    const done = await client.beta.threads.runs.submitToolOutputsAndPoll(paused.id, {
      thread_id: paused.thread_id,
      tool_outputs: calls.map((call) => ({ tool_call_id: call.id, output: 'rain, 8°C' })),
    });
    print(`runs.submitToolOutputsAndPoll: ${done.status}\n`);

    const [latest] = (await client.beta.threads.messages.list(done.thread_id, { limit: 1 })).data;
    const answer = latest?.content[0]?.type === 'text' ? latest.content[0].text.value : '';
    print(`${answer}\n`);
    return {
      uploaded: file.status,
      batch: { status: batch.status, completed: batch.file_counts.completed },
      createAndRunPoll: searched.status,
      createAndPoll: paused.status,
      submitToolOutputsAndPoll: done.status,
      answer,
    };
  });
}

runIfMain(import.meta.url, main);
