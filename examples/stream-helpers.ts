// The three stream helpers: createAndRunStream (a new thread and its run), runs.stream (a run
// on a thread you have), submitToolOutputsStream (the rest of a run that asked for tool
// outputs). Each returns an AssistantStream at once; listeners attached right away see it all.
//
//   npx tsx examples/stream-helpers.ts
import type { AssistantTool, RequiredActionFunctionToolCall, RunStatus } from 'assistant-machines';
import { printToStdout, runIfMain, withClient, type Print } from './support.ts';

const weatherTool: AssistantTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The current weather in a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

// Your function: here a stand-in that answers the same every time.
function getWeather(call: RequiredActionFunctionToolCall): string {
  const { city } = JSON.parse(call.function.arguments) as { city: string };
  return JSON.stringify({ city, forecast: 'sunny', temperature_c: 22 });
}

/** Runs all three helpers on one thread; resolves with each stream's final status and the answers. */
export async function main(baseURL?: string, print: Print = printToStdout): Promise<{ statuses: RunStatus[]; answers: string[] }> {
  return withClient(baseURL, async (client) => {
    const assistant = await client.beta.assistants.create({ model: 'scripted', tools: [{ type: 'code_interpreter' }, weatherTool] });
    const answers: string[] = [];
    const printText = (delta: { value?: string | undefined }) => print(delta.value ?? '');
    const keepAnswer = (text: { value: string }) => {
      answers.push(text.value);
      print('\n');
    };

    // 1. A new thread and its run, in one request.
    const created = client.beta.threads
      .createAndRunStream({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'What is 6 * 7?' }] } })
      .on('textDelta', printText)
      .on('textDone', keepAnswer);
    const first = await created.finalRun();

    // 2. Another run on the same thread; this one stops for a function call.
    await client.beta.threads.messages.create(first.thread_id, { role: 'user', content: "What's the weather in Paris?" });
    const asked = client.beta.threads.runs
      .stream(first.thread_id, { assistant_id: assistant.id })
      .on('toolCallDone', (toolCall) => {
        if (toolCall.type === 'function') print(`${toolCall.function.name}(${toolCall.function.arguments})\n`);
      });
    const paused = await asked.finalRun();

    // 3. Answer the calls; the run goes on in a new stream.
    const calls = paused.required_action?.submit_tool_outputs.tool_calls ?? [];
    const resumed = client.beta.threads.runs
      .submitToolOutputsStream(paused.id, {
        thread_id: paused.thread_id,
        tool_outputs: calls.map((call) => ({ tool_call_id: call.id, output: getWeather(call) })),
      })
      .on('textDelta', printText)
      .on('textDone', keepAnswer);
    const last = await resumed.finalRun();
    return { statuses: [first.status, paused.status, last.status], answers };
  });
}

runIfMain(import.meta.url, main);
