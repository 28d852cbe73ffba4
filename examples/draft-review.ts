// A workflow of two assistants, as one parent statechart: a drafter writes a note (calling its
// own tool), a human approves the draft, a reviewer checks it (calling its tool). Each assistant
// step is an invoked `createAssistantRun` actor. The workflow is persisted to disk while it waits
// for the human, and resumed from that file by a new actor, with a new client — as a new
// process would after a restart.
//
//   npx tsx examples/draft-review.ts
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assign, createActor, setup, toPromise, waitFor } from 'xstate';
import { AssistantsClient, createAssistantRun, type AssistantRunOutput, type AssistantTool } from 'assistant-machines';
import { printToStdout, runIfMain, withClient, type Print } from './support.ts';

const findFacts: AssistantTool = {
  type: 'function',
  function: { name: 'find_facts', parameters: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] } },
};
const checkSpelling: AssistantTool = {
  type: 'function',
  function: { name: 'check_spelling', parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
};

/** What the workflow needs to know: where it runs and who does what. */
interface WorkflowInput {
  threadId: string;
  drafterId: string;
  reviewerId: string;
  topic: string;
}

interface WorkflowContext extends WorkflowInput {
  draft: string | null;
  review: string | null;
  approvedBy: string | null;
}

type WorkflowEvent = { type: 'approve'; by: string } | { type: 'reject' };

const textOf = ({ messages }: AssistantRunOutput) =>
  messages.flatMap((message) => message.content.map((part) => (part.type === 'text' ? part.text.value : ''))).join('\n');

/**
 * The workflow statechart: drafting → awaitingApproval → reviewing → published (or rejected).
 * Its assistant steps are assistantRun actors with their tools; everything in its context is
 * JSON, so a persisted snapshot restores anywhere the same logic exists.
 */
export function createDraftReviewWorkflow(client: AssistantsClient) {
  const drafter = createAssistantRun({ client, tools: { find_facts: ({ topic }: { topic: string }) => [`${topic} is built on seven hills`, `${topic} has yellow trams`] } });
  const reviewer = createAssistantRun({ client, tools: { check_spelling: () => ({ mistakes: 0 }) } });
  return setup({
    types: {} as { input: WorkflowInput; context: WorkflowContext; events: WorkflowEvent },
    actors: { drafter, reviewer },
  }).createMachine({
    id: 'draftReview',
    context: ({ input }) => ({ ...input, draft: null, review: null, approvedBy: null }),
    initial: 'drafting',
    states: {
      /** The drafter writes, calling find_facts. */
      drafting: {
        invoke: {
          src: 'drafter',
          input: ({ context }) => ({
            threadId: context.threadId,
            assistantId: context.drafterId,
            additionalMessages: [{ role: 'user', content: `Draft a short note about ${context.topic} with a few facts.` }],
            deadlineMs: 60_000,
          }),
          onDone: { target: 'awaitingApproval', actions: assign({ draft: ({ event }) => textOf(event.output) }) },
          onError: 'rejected',
        },
      },
      /** A human reads the draft: may take days, so this is where the workflow is persisted. */
      awaitingApproval: {
        on: { approve: { target: 'reviewing', actions: assign({ approvedBy: ({ event }) => event.by }) }, reject: 'rejected' },
      },
      /** The reviewer checks the approved draft, calling check_spelling. */
      reviewing: {
        invoke: {
          src: 'reviewer',
          input: ({ context }) => ({
            threadId: context.threadId,
            assistantId: context.reviewerId,
            additionalMessages: [{ role: 'user', content: `Check the spelling of "${context.draft?.split('\n')[0] ?? ''}"` }],
            deadlineMs: 60_000,
          }),
          onDone: { target: 'published', actions: assign({ review: ({ event }) => textOf(event.output) }) },
          onError: 'rejected',
        },
      },
      published: { type: 'final' },
      rejected: { type: 'final' },
    },
  });
}

/** What the example ends with. */
export interface DraftReviewOutcome {
  persistedState: string;
  finalState: string;
  draft: string;
  review: string;
  approvedBy: string;
}

/** Runs the workflow up to the human step, persists it to a file, resumes it from there, approves. */
export async function main(baseURL?: string, print: Print = printToStdout, stateFile = join(tmpdir(), `draft-review-${process.pid}.json`)): Promise<DraftReviewOutcome> {
  return withClient(baseURL, async (client) => {
    const drafter = await client.beta.assistants.create({ model: 'scripted', name: 'Drafter', tools: [findFacts] });
    const reviewer = await client.beta.assistants.create({ model: 'scripted', name: 'Reviewer', tools: [checkSpelling] });
    const thread = await client.beta.threads.create();

    // The first process: draft, then wait for a human — and save the workflow while it waits.
    const first = createActor(createDraftReviewWorkflow(client), { input: { threadId: thread.id, drafterId: drafter.id, reviewerId: reviewer.id, topic: 'Lisbon' } });
    first.start();
    const waiting = await waitFor(first, (snapshot) => snapshot.matches('awaitingApproval') || snapshot.status !== 'active', { timeout: 60_000 });
    print(`draft >\n${waiting.context.draft}\n`);
    await writeFile(stateFile, JSON.stringify(first.getPersistedSnapshot()));
    first.stop();
    print(`workflow saved to ${stateFile} while it waits for approval\n`);

    // Later, anywhere the same logic exists: a new client, the saved state, the human's answer.
    try {
      const later = new AssistantsClient({ baseURL: client.baseURL, apiKey: process.env['OPENAI_API_KEY'] ?? 'unused' });
      const saved = JSON.parse(await readFile(stateFile, 'utf8'));
      const resumed = createActor(createDraftReviewWorkflow(later), { snapshot: saved, input: undefined as never });
      resumed.start();
      resumed.send({ type: 'approve', by: 'editor@example.com' });
      await toPromise(resumed);
      const { value, context } = resumed.getSnapshot();
      print(`review >\n${context.review}\n`);
      return { persistedState: String(saved.value), finalState: String(value), draft: context.draft ?? '', review: context.review ?? '', approvedBy: context.approvedBy ?? '' };
    } finally {
      await rm(stateFile, { force: true });
    }
  });
}

runIfMain(import.meta.url, main);
