// Run by tests/assistant-run-persistence.test.ts in separate processes.
//   CHILD_MODE=persist PERSIST_AT=tools|streaming: starts an assistantRun, and at that point
//     prints its persisted snapshot (JSON) and exits at once, as a crashing process would.
//   CHILD_MODE=restore: reads a snapshot from stdin, restores it with a new client and carries
//     the run to its end; prints { restoredState, status, text, executions }.
import { createActor, toPromise } from 'xstate';
import { AssistantsClient, createAssistantRun, restoreAssistantRun, type AssistantRunActor, type ToolFunctions } from '../../src/index.ts';

const env = process.env;
const client = new AssistantsClient({ apiKey: 'sk-child', baseURL: env['CHILD_BASE_URL'], maxRetries: 0 });
const executions: string[] = [];

let persisted = false;
function persistAndExit(actor: AssistantRunActor): void {
  if (persisted) return;
  persisted = true;
  process.stdout.write(JSON.stringify(actor.getPersistedSnapshot()), () => process.exit(0));
}

if (env['CHILD_MODE'] === 'persist') {
  let actor: AssistantRunActor | undefined;
  // The tools never finish here: the snapshot is taken while they run.
  const hang: ToolFunctions[string] = (_args, { toolCall }) => {
    executions.push(toolCall.function.name);
    if (env['PERSIST_AT'] === 'tools' && executions.length === 2) persistAndExit(actor!);
    return new Promise(() => {});
  };
  actor = createActor(createAssistantRun({ client, tools: { get_weather: hang, get_time: hang } }), {
    input: { threadId: env['CHILD_THREAD_ID']!, assistantId: env['CHILD_ASSISTANT_ID']!, additionalMessages: [{ role: 'user', content: "What's the weather and the time in Paris?" }], pollIntervalMs: 5 },
  });
  actor.on('assistantRun.event', ({ event }) => {
    if (env['PERSIST_AT'] === 'streaming' && event.event === 'thread.run.step.delta') persistAndExit(actor!);
  });
  actor.start();
} else {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const answer =
    (output: string): ToolFunctions[string] =>
    (_args, { toolCall }) => {
      executions.push(toolCall.function.name);
      return output;
    };
  const tools: ToolFunctions = { get_weather: answer('22C'), get_time: answer('14:00') };
  const actor = restoreAssistantRun(createAssistantRun({ client, tools }), JSON.parse(input));
  const restoredState = JSON.stringify(actor.getSnapshot().value);
  actor.start();
  const { run, messages } = await toPromise(actor);
  const text = messages.flatMap((message) => message.content.map((part) => (part.type === 'text' ? part.text.value : ''))).join('');
  process.stdout.write(JSON.stringify({ restoredState, status: run.status, text, executions: executions.sort() }));
}
