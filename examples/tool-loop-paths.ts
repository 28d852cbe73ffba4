// Testing an app on every path a run can take. The app is the tool-output loop of docs/guide.md: ask a
// question, run the functions the run requires, answer. `forEachRunPath` runs the app's test
// once per lifecycle the run chart draws (up to two tool rounds: failed, expired, incomplete,
// cancelled mid-tool-call, expired while waiting for outputs, …), each against a fresh embedded
// server told to follow that path, and reports the paths it failed on.
//
// `naiveAsk` is how the loop is often written: one tool round, and the submit assumed to work.
// It passes against a happy server; the paths find both bugs. `ask` is the fix.
//
//   npx tsx examples/tool-loop-paths.ts
import type { AssistantsClient, Run, RunStatus } from 'assistant-machines';
import { forEachRunPath, type RunPath, type RunPathReport } from 'assistant-machines/testing';
import { printToStdout, runIfMain, type Print } from './support.ts';

/** What the app tells its user: how the run ended, and the answer when there is one. */
export interface Answer {
  status: RunStatus;
  text: string;
}

type Ask = (client: AssistantsClient, question: string) => Promise<Answer>;

const weather = (call: { function: { arguments: string } }) => JSON.stringify({ city: JSON.parse(call.function.arguments).city, forecast: 'sunny' });

async function start(client: AssistantsClient, question: string) {
  const assistant = await client.beta.assistants.create({
    model: 'scripted',
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
  });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: question }] });
  const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  return { thread, run: await stream.finalRun(), stream };
}

/** The loop as often written: it assumes one tool round, and that the run still waits for the outputs. */
export const naiveAsk: Ask = async (client, question) => {
  let { thread, run, stream } = await start(client, question);
  if (run.status === 'requires_action') {
    const tool_outputs = run.required_action!.submit_tool_outputs.tool_calls.map((call) => ({ tool_call_id: call.id, output: weather(call) }));
    stream = client.beta.threads.runs.submitToolOutputsStream(run.id, { thread_id: thread.id, tool_outputs });
    run = await stream.finalRun();
  }
  return { status: run.status, text: await answerText(stream) };
};

/** The fix: as many tool rounds as the run asks for, and a run that ended while it waited is read, not assumed. */
export const ask: Ask = async (client, question) => {
  let { thread, run, stream } = await start(client, question);
  while (run.status === 'requires_action') {
    const tool_outputs = run.required_action!.submit_tool_outputs.tool_calls.map((call) => ({ tool_call_id: call.id, output: weather(call) }));
    try {
      stream = client.beta.threads.runs.submitToolOutputsStream(run.id, { thread_id: thread.id, tool_outputs });
      run = await stream.finalRun();
    } catch (error) {
      // Expired, cancelled or failed while the function ran: the API refuses the outputs (400).
      const ended: Run = await client.beta.threads.runs.poll(run.id, { thread_id: thread.id }, { pollIntervalMs: 20 });
      if (ended.status === 'requires_action') throw error;
      return { status: ended.status, text: '' };
    }
  }
  return { status: run.status, text: await answerText(stream) };
};

async function answerText(stream: { finalMessages(): Promise<Array<{ content: Array<{ type: string; text?: { value: string } }> }>> }): Promise<string> {
  const messages = await stream.finalMessages();
  return messages.flatMap((message) => message.content.map((part) => part.text?.value ?? '')).join('');
}

/**
 * The app's test on every run path up to two tool rounds: it must not throw, must report the
 * status the run really ended with, and must give an answer when the run completed with one.
 */
export function testOnEveryPath(app: Ask, paths?: readonly RunPath[]): Promise<RunPathReport> {
  return forEachRunPath({ toolRounds: 2, concurrency: 4, ...(paths === undefined ? {} : { paths }) }, async ({ path, client }) => {
    const answer = await app(client, "What's the weather in Paris?");
    if (answer.status !== path.ending) throw new Error(`the app reported '${answer.status}', the run ended '${path.ending}'`);
    const answered = path.statuses.at(-2) === 'in_progress' && path.ending === 'completed';
    if (answered && answer.text === '') throw new Error('the run completed with an answer, and the app shows none');
  });
}

/** Tests both versions on every path; resolves with their reports. */
export async function main(_baseURL?: string, print: Print = printToStdout): Promise<{ naive: RunPathReport; fixed: RunPathReport }> {
  const naive = await testOnEveryPath(naiveAsk);
  print(`naive loop: ${naive.summary}\n`);
  const fixed = await testOnEveryPath(ask);
  print(`fixed loop: ${fixed.summary}\n`);
  return { naive, fixed };
}

runIfMain(import.meta.url, main);
