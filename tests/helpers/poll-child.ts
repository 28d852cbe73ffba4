// Run by tests/poll-persistence.test.ts in a separate process: reads a persisted poll snapshot
// (JSON) from stdin, restores it with a fresh client, lets it finish, and prints the outcome.
import { AssistantsClient, createPollMachine, restorePollActor, settlePoll, type Run } from '../../src/index.ts';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const client = new AssistantsClient({ apiKey: 'sk-child', baseURL: process.env['POLL_BASE_URL'] });
const actor = restorePollActor(createPollMachine(client), JSON.parse(input));
const restoredState = JSON.stringify(actor.getSnapshot().value);
try {
  const run = await settlePoll<Run>(actor);
  process.stdout.write(JSON.stringify({ restoredState, status: run.status, id: run.id }));
} catch (error) {
  process.stdout.write(JSON.stringify({ restoredState, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
  process.exitCode = 1;
}
