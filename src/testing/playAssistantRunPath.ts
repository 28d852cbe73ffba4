import { createActor, fromCallback, fromPromise, toPromise, type AnyEventObject } from 'xstate';
import type {
  AssistantRunEvent,
  AssistantRunOutput,
  AssistantRunToolOutput,
  RetrievedRun,
  RunLocator,
  RunMessagesInput,
  RunStreamInput,
} from '../../machines/assistantRun.ts';
import type { Message, Run } from '../wire/index.ts';
import type { TimerInput } from '../../machines/poll.ts';
import { AssistantsClient } from '../client/AssistantsClient.ts';
import { createAssistantRun } from '../workflow/createAssistantRun.ts';
import { ASSISTANT_RUN_PATH_INPUTS, FAILED_AFTER_EVENT, type AssistantRunPath } from './assistantRunPaths.ts';

/** How a played {@link AssistantRunPath} ended: what `toPromise(actor)` gave, or where it stuck. */
export type PlayedAssistantRunPath =
  | { ending: 'done'; output: AssistantRunOutput }
  | { ending: 'failed'; error: unknown; runKey: string }
  /** The actor was still running after the last event (a path the actor does not follow). */
  | { ending: 'stuck'; state: unknown };

type Pending = { resolve: (value: unknown) => void; reject: (error: unknown) => void };
const PROMISE_ACTORS = ['retrieveRun', 'requestCancel', 'runTools', 'listMessages'] as const;

/**
 * Plays an assistantRun path through the real `createAssistantRun` logic, its actors replaced by
 * ones held until the path says how each ends: the thread lock is acquired, a stream reports, a
 * retrieve, cancel request, tool run or message list resolves or fails, a wait or the deadline
 * is over; `cancel` and `submitToolOutputs` are sent as a parent would; `failed`'s delayed event
 * fires by itself. Throws when a step's actor is not running (the path left the actor behind).
 *
 * @example
 * ```ts
 * const played = await playAssistantRunPath(path);
 * if (played.ending === 'done') assert.is(played.output.run.status, path.outcome.runStatus);
 * ```
 */
export async function playAssistantRunPath(path: AssistantRunPath): Promise<PlayedAssistantRunPath> {
  let acquire: (() => void) | undefined;
  let stream: ((event: AssistantRunEvent) => void) | undefined;
  const pending = new Map<string, Pending>();
  const timers = new Map<string, () => void>();
  const held = <T, I>(name: string) =>
    fromPromise<T, I>(
      ({ signal }) =>
        new Promise<T>((resolve, reject) => {
          const entry = { resolve: resolve as (value: unknown) => void, reject };
          pending.set(name, entry);
          // A stopped actor's answer can no longer be played.
          signal.addEventListener('abort', () => pending.get(name) === entry && pending.delete(name), { once: true });
        }),
    );
  const logic = createAssistantRun({
    // Never called: every actor that would use it is replaced below.
    client: new AssistantsClient({ apiKey: 'unused', baseURL: 'http://127.0.0.1:9/v1' }),
    tools: path.tools ? {} : undefined,
  }).provide({
    actors: {
      threadLock: fromCallback<AssistantRunEvent, { threadId: string; queue: boolean }>(({ sendBack }) => {
        acquire = () => sendBack({ type: 'thread.acquired' });
        return () => {
          acquire = undefined;
        };
      }),
      stream: fromCallback<AssistantRunEvent, RunStreamInput>(({ sendBack }) => {
        stream = sendBack;
        return () => {
          if (stream === sendBack) stream = undefined;
        };
      }),
      retrieveRun: held<RetrievedRun, RunLocator>('retrieveRun'),
      requestCancel: held<RetrievedRun, RunLocator>('requestCancel'),
      runTools: held<AssistantRunToolOutput[], { run: Run }>('runTools'),
      listMessages: held<Message[], RunMessagesInput>('listMessages'),
      timer: fromPromise<void, TimerInput>(
        ({ self, signal }) =>
          new Promise<void>((resolve) => {
            timers.set(self.id, resolve);
            signal.addEventListener('abort', () => timers.get(self.id) === resolve && timers.delete(self.id), { once: true });
          }),
      ),
    },
  });
  const actor = createActor(logic, { input: ASSISTANT_RUN_PATH_INPUTS[path.input] });
  // Observed before it starts: an actor that fails with nobody listening reports it globally.
  const ended = toPromise(actor).then(
    (output) => ({ ending: 'done' as const, output }),
    (error: unknown) => ({ ending: 'failed' as const, error, runKey: actor.getSnapshot().context.runKey }),
  );
  actor.start();
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  await settle();
  for (const event of path.events) {
    play(event);
    await settle();
  }
  // `failed` raises its delayed event on a zero timer.
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  await settle();
  if (actor.getSnapshot().status === 'active') {
    const state = actor.getSnapshot().value;
    actor.stop();
    return { ending: 'stuck', state };
  }
  return ended;

  function play(event: AnyEventObject): void {
    const [, kind, , name] = event.type.split('.');
    const missing = () => new Error(`${path.description}: ${event.type} has no running actor to come from`);
    if (event.type === 'thread.acquired') {
      if (acquire === undefined) throw missing();
      acquire();
    } else if (event.type.startsWith('stream.')) {
      if (stream === undefined) throw missing();
      stream(event as AssistantRunEvent);
    } else if (event.type === 'cancel' || event.type === 'submitToolOutputs') {
      actor.send(event as AssistantRunEvent);
    } else if (event.type === FAILED_AFTER_EVENT) {
      // Fires by itself.
    } else if (name === 'wait' || name === 'deadline') {
      const resolve = timers.get(name);
      if (resolve === undefined) throw missing();
      timers.delete(name);
      resolve();
    } else if ((PROMISE_ACTORS as readonly string[]).includes(name ?? '')) {
      const held = pending.get(name!);
      if (held === undefined) throw missing();
      pending.delete(name!);
      if (kind === 'done') held.resolve((event as { output?: unknown }).output);
      else held.reject((event as { error?: unknown }).error);
    } else {
      throw new Error(`${path.description}: no way to play ${event.type}`);
    }
  }
}
