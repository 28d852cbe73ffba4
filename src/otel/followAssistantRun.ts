import type { AssistantRunActor } from '../workflow/createAssistantRun.ts';
import type { AssistantStreamEvent, Message, RunStep, UnknownStreamEvent } from '../wire/index.ts';
import type { RunTrace } from './runTrace.ts';

const STEP_ENDINGS: ReadonlySet<string> = new Set(['thread.run.step.completed', 'thread.run.step.failed', 'thread.run.step.cancelled', 'thread.run.step.expired']);
const MESSAGE_ENDINGS: ReadonlySet<string> = new Set(['thread.message.completed', 'thread.message.incomplete']);

/**
 * Feeds `run` from an assistantRun actor: the run's statuses (`assistantRun.status`), the steps
 * and messages of every stream of the run (`assistantRun.event`), each function call the actor
 * runs (`assistantRun.toolCall`: its `execute_tool` span), the actor's own chart transitions,
 * and its end — `done` with the terminal run, or the error it failed with.
 *
 * @example `followAssistantRun(createActor(createAssistantRun({ client, tools }), { input }), runTrace);`
 */
export function followAssistantRun(actor: AssistantRunActor, run: RunTrace): void {
  const { params } = actor.getSnapshot().context;
  run.input(params?.instructions, params?.additionalMessages as ReadonlyArray<{ role: string; content: unknown }> | null | undefined);
  actor.on('assistantRun.status', ({ run: current }) => run.run(current));
  actor.on('assistantRun.toolCall', (progress) => {
    if (progress.phase === 'started') run.toolStarted(progress.toolCall);
    else run.toolEnded(progress.toolCall, progress.output, progress.error);
  });
  actor.on('assistantRun.event', ({ event }) => feedRunEvent(run, event));
  markRunStates(actor, run, {
    // Stopped, not ended: the run goes on without this actor (see `cancelOnStop`).
    stopped: () => {
      run.transition('assistantRun', 'stopped');
      run.end();
    },
    complete: () => run.end({ run: actor.getSnapshot().output?.run }),
    error: (error) => run.end({ error }),
  });
}

/**
 * Marks each state an assistantRun actor's chart settles in as a transition of `run` — on
 * snapshots, not microsteps: a transient state (`actionRequired`) is passed through within one
 * event — and calls `ends.stopped` when the actor is stopped, `complete` and `error` when it ends.
 *
 * @internal
 */
export function markRunStates(
  actor: AssistantRunActor,
  run: RunTrace,
  ends: { stopped?: () => void; complete?: () => void; error?: (error: unknown) => void },
): void {
  let state: string | undefined;
  const onSnapshot = (snapshot: ReturnType<AssistantRunActor['getSnapshot']>) => {
    if (snapshot.status === 'stopped') {
      ends.stopped?.();
      subscription?.unsubscribe();
      return;
    }
    const entered = assistantRunStateName(snapshot.value);
    if (entered === state) return;
    state = entered;
    run.transition('assistantRun', entered);
  };
  onSnapshot(actor.getSnapshot());
  const subscription: { unsubscribe(): void } | undefined = actor.subscribe({
    next: onSnapshot,
    complete: () => ends.complete?.(),
    error: (error) => (ends.error === undefined ? undefined : ends.error(error)),
  });
}

/**
 * One stream event of a run, as its trace takes it: a step's creation and end (its span), a
 * message's, the tool calls a step carried, and — with metrics on — an output delta as a chunk.
 *
 * @example `actor.on('assistantRun.event', ({ event }) => feedRunEvent(runTrace, event));`
 */
export function feedRunEvent(run: RunTrace, event: AssistantStreamEvent | UnknownStreamEvent): void {
  const name = event.event;
  if (name === 'thread.message.delta' || name === 'thread.run.step.delta') {
    if (run.timesChunks) run.chunk();
  } else if (name === 'thread.run.step.created') run.stepCreated(event.data as RunStep);
  else if (STEP_ENDINGS.has(name)) {
    const step = event.data as RunStep;
    if (step.step_details.type === 'tool_calls') for (const toolCall of step.step_details.tool_calls) run.toolCall(step.id, toolCall, 'done');
    run.stepDone(step);
  } else if (name === 'thread.message.created') run.message(event.data as Message, 'created');
  else if (MESSAGE_ENDINGS.has(name)) run.message(event.data as Message, (event.data as Message).status);
}

/** `creating`, `cancelling.waiting`, `finishing`: the state's path without the `active.working` every state sits in. */
export function assistantRunStateName(value: unknown): string {
  const path: string[] = [];
  let node = value;
  while (typeof node === 'object' && node !== null) {
    const [key, child] = Object.entries(node)[0] ?? [];
    if (key === undefined) break;
    path.push(key);
    node = child;
  }
  if (typeof node === 'string') path.push(node);
  const [first, second] = path;
  return path.slice(first === 'active' ? (second === 'working' ? 2 : 1) : 0).join('.');
}
