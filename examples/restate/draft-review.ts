// examples/draft-review.ts on Restate: a drafter writes a note (calling its own tool), a human
// approves the draft, a reviewer checks it (calling its tool). Here the workflow is a Restate
// workflow and each assistant step a run of the durable thread object (assistant-machines/restate):
// the human's approval is a durable promise, so the workflow waits for it for as long as it takes
// — hours, days — with no process holding it: a worker killed while it waits is nobody's loss,
// and the approval, whenever it comes, resumes the workflow on whichever worker is up.
//
// To run it: start restate-server, serve these services (createDraftReviewService) on a port,
// register that port (docs/restate.md says how), then
//   curl <ingress>/draftReview/<id>/run/send --json '{"threadId": …, "drafterId": …, "reviewerId": …, "topic": "Lisbon"}'
//   curl <ingress>/draftReview/<id>/draft            # the draft, once written
//   curl <ingress>/draftReview/<id>/approve --json '{"by": "editor@example.com"}'
//   curl <ingress>/restate/workflow/draftReview/<id>/attach   # waits for the outcome
import * as restate from '@restatedev/restate-sdk';
import type { AssistantRunOutput, AssistantsClient, AssistantTool } from 'assistant-machines';
import { createAssistantThreadObject, type DurableRunInput } from 'assistant-machines/restate';

/** The drafter's tool. */
export const findFacts: AssistantTool = {
  type: 'function',
  function: { name: 'find_facts', parameters: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] } },
};
/** The reviewer's tool. */
export const checkSpelling: AssistantTool = {
  type: 'function',
  function: { name: 'check_spelling', parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
};

/** What the workflow needs to know: where it runs and who does what. */
export interface DraftReviewInput {
  threadId: string;
  drafterId: string;
  reviewerId: string;
  topic: string;
}

/** What the workflow ends with. */
export interface DraftReviewOutcome {
  state: 'published' | 'rejected';
  draft: string;
  review: string | null;
  approvedBy: string | null;
}

/** The human's answer, as the durable promise `approval` carries it. */
export type Approval = { approved: true; by: string } | { approved: false };

const textOf = ({ messages }: AssistantRunOutput) =>
  messages.flatMap((message) => message.content.map((part) => (part.type === 'text' ? part.text.value : ''))).join('\n');

/**
 * The services of the example: the thread object both assistants run on (with both tools), and
 * the `draftReview` workflow — `run` (drafting → awaiting approval → reviewing → published or
 * rejected), `approve`, `reject` and `draft` (the draft so far, for the human to read).
 */
export function createDraftReviewService({ client, threadObjectName = 'draftReviewThread' }: { client: AssistantsClient; threadObjectName?: string }) {
  const thread = createAssistantThreadObject({
    name: threadObjectName,
    client,
    tools: {
      find_facts: ({ topic }: { topic: string }) => [`${topic} is built on seven hills`, `${topic} has yellow trams`],
      check_spelling: () => ({ mistakes: 0 }),
    },
  });
  // Each assistant step is a call to the thread's object: journaled, so a replayed workflow
  // waits for the same run instead of starting another.
  const runOn = (ctx: restate.WorkflowContext, threadId: string, input: DurableRunInput) =>
    ctx.objectClient<typeof thread>({ name: threadObjectName }, threadId).run(input);

  const workflow = restate.workflow({
    name: 'draftReview',
    handlers: {
      run: async (ctx: restate.WorkflowContext, input: DraftReviewInput): Promise<DraftReviewOutcome> => {
        const drafted = await runOn(ctx, input.threadId, {
          assistantId: input.drafterId,
          additionalMessages: [{ role: 'user', content: `Draft a short note about ${input.topic} with a few facts.` }],
          deadlineMs: 60_000,
        });
        const draft = textOf(drafted);
        ctx.set('draft', draft);
        // A durable promise: no process waits for it, Restate does.
        const approval = await ctx.promise<Approval>('approval');
        if (!approval.approved) return { state: 'rejected', draft, review: null, approvedBy: null };
        const reviewed = await runOn(ctx, input.threadId, {
          assistantId: input.reviewerId,
          additionalMessages: [{ role: 'user', content: `Check the spelling of "${draft.split('\n')[0] ?? ''}"` }],
          deadlineMs: 60_000,
        });
        return { state: 'published', draft, review: textOf(reviewed), approvedBy: approval.by };
      },
      approve: async (ctx: restate.WorkflowSharedContext, { by }: { by: string }) => {
        await ctx.promise<Approval>('approval').resolve({ approved: true, by });
      },
      reject: async (ctx: restate.WorkflowSharedContext) => {
        await ctx.promise<Approval>('approval').resolve({ approved: false });
      },
      draft: async (ctx: restate.WorkflowSharedContext): Promise<string | null> => ctx.get<string>('draft'),
    },
  });
  return [thread, workflow] as const;
}
