import type { AnyStateMachine } from 'xstate';
import { assistantStreamMachine } from '../../machines/assistantStream.ts';
import { isStreamCallbackName, type StreamCallbackName, type StreamCallbackParams } from '../../machines/callbacks.ts';
import { growTextByFragment, messageMachine, type MessageContext, type TextFragmentParams, type TextFragmentsEvent } from '../../machines/message.ts';
import { growToolCallByFragment, runStepMachine, type RunStepContext, type ToolCallFragmentsEvent } from '../../machines/runStep.ts';
import { toolCallMachine } from '../../machines/toolCall.ts';
import { sessionOf, type AnyActorSystem, type StreamSession } from './session.ts';
import { sourceLogic } from './sourceActor.ts';

type CallbackAction = (args: { system: AnyActorSystem }, params: never) => void;

/** The session of the stream an action runs in; an action outside any stream is a bug. */
function sessionFor(system: AnyActorSystem, name: string): StreamSession {
  const session = sessionOf(system);
  if (session === undefined) throw new Error(`the ${name} callback ran outside any AssistantStream session`);
  return session;
}

/** A callback action implementation: hands its params to the stream's sink. */
function toSink<Name extends StreamCallbackName>(name: Name) {
  return ({ system }: { system: AnyActorSystem }, params: StreamCallbackParams[Name]) => {
    sessionFor(system, name).sink.dispatch(name, params);
  };
}

/**
 * Every callback action `machine` declares (the names of the vocabulary in machines/callbacks.ts
 * it has a no-op default for), each bound to the stream's sink.
 */
function callbackActions(machine: AnyStateMachine): Record<string, CallbackAction> {
  const actions: Record<string, CallbackAction> = {};
  for (const name of Object.keys(machine.implementations.actions)) {
    if (isStreamCallbackName(name)) actions[name] = toSink(name) as CallbackAction;
  }
  return actions;
}

/** One text fragment's three callbacks, in order. */
function announceTextFragment({ sink }: StreamSession, params: TextFragmentParams): void {
  sink.dispatch('event', params.event);
  sink.dispatch('messageDelta', params.messageDelta);
  sink.dispatch('textDelta', params.textDelta);
}

/**
 * The statecharts with their callbacks and source provided: what every `AssistantStream`
 * runs. Built once; each stream's actors reach their own sink through their actor system.
 */
export const streamMachine = assistantStreamMachine.provide({
  actors: {
    source: sourceLogic,
    message: messageMachine.provide({
      actions: {
        ...callbackActions(messageMachine),
        // One action for a batched fragment's three callbacks (see `TextFragmentParams`).
        textFragment: ({ system }: { system: AnyActorSystem }, params: TextFragmentParams) => {
          announceTextFragment(sessionFor(system, 'textFragment'), params);
        },
        // A batch of fragments as one action: per fragment, the append and then its three
        // callbacks, exactly as the chart's own appendText and textFragment would run them.
        growTextByEach: ({ context, event, system }: { context: MessageContext; event: unknown; system: AnyActorSystem }) => {
          const session = sessionFor(system, 'growTextByEach');
          const announce = (params: TextFragmentParams) => announceTextFragment(session, params);
          const { fragments } = event as TextFragmentsEvent;
          for (const fragment of fragments) growTextByFragment(context, fragment, announce);
          // Handled, the batch (the source made it for this message alone) is emptied: XState
          // keeps the events it ran actions for reachable from old objects long enough that V8
          // promotes each one, with everything it holds, to the old generation, where only a
          // full collection frees it (docs/design.md: most of what made the 100,000-delta run
          // end with a heap larger than the official SDK's). An inspection observer may keep
          // the events it was shown: its batches stay whole.
          if (!session.inspected) fragments.length = 0;
        },
      },
    }),
    runStep: runStepMachine.provide({
      actors: { toolCall: toolCallMachine.provide({ actions: callbackActions(toolCallMachine) }) },
      actions: {
        ...callbackActions(runStepMachine),
        // A batch of one call's fragments as one action: per fragment, the append and then its
        // three callbacks, as the chart's own actions (and the tool call's) would run them.
        growToolCallByEach: ({ context, event, system }: { context: RunStepContext; event: unknown; system: AnyActorSystem }) => {
          const session = sessionFor(system, 'growToolCallByEach');
          const { sink } = session;
          const { fragments } = event as ToolCallFragmentsEvent;
          for (const fragment of fragments) {
            growToolCallByFragment(context, fragment, (params) => {
              sink.dispatch('event', params.event);
              sink.dispatch('toolCallDelta', params.toolCallDelta);
              sink.dispatch('runStepDelta', params.runStepDelta);
            });
          }
          // Emptied once handled, as a text batch is (see growTextByEach).
          if (!session.inspected) fragments.length = 0;
        },
      },
    }),
  },
  actions: callbackActions(assistantStreamMachine),
});
