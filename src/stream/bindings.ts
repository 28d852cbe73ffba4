import type { ActorSystem } from 'xstate';

type AnyActorSystem = ActorSystem<any>;
import { assistantStreamMachine } from '../../machines/assistantStream.ts';
import type { StreamCallbackName, StreamCallbackParams } from '../../machines/callbacks.ts';
import { messageMachine, type TextFragmentParams } from '../../machines/message.ts';
import { runStepMachine } from '../../machines/runStep.ts';
import { toolCallMachine } from '../../machines/toolCall.ts';
import { sessionOf } from './session.ts';
import { sourceLogic } from './sourceActor.ts';

/** A callback action implementation: hands its params to the stream's sink. */
function toSink<Name extends StreamCallbackName>(name: Name) {
  return ({ system }: { system: AnyActorSystem }, params: StreamCallbackParams[Name]) => {
    sessionOf(system)?.sink.dispatch(name, params);
  };
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
        messageCreated: toSink('messageCreated'),
        messageDelta: toSink('messageDelta'),
        messageDone: toSink('messageDone'),
        textCreated: toSink('textCreated'),
        textDelta: toSink('textDelta'),
        textDone: toSink('textDone'),
        imageFileDone: toSink('imageFileDone'),
        event: toSink('event'),
        // One action for a batched fragment's three callbacks (see `TextFragmentParams`).
        textFragment: ({ system }: { system: AnyActorSystem }, params: TextFragmentParams) => {
          const sink = sessionOf(system)?.sink;
          sink?.dispatch('event', params.event);
          sink?.dispatch('messageDelta', params.messageDelta);
          sink?.dispatch('textDelta', params.textDelta);
        },
      },
    }),
    runStep: runStepMachine.provide({
      actors: {
        toolCall: toolCallMachine.provide({
          actions: {
            toolCallCreated: toSink('toolCallCreated'),
            toolCallDelta: toSink('toolCallDelta'),
            toolCallDone: toSink('toolCallDone'),
          },
        }),
      },
      actions: {
        runStepCreated: toSink('runStepCreated'),
        runStepDelta: toSink('runStepDelta'),
        runStepDone: toSink('runStepDone'),
        event: toSink('event'),
      },
    }),
  },
  actions: {
    connect: toSink('connect'),
    event: toSink('event'),
    run: toSink('run'),
    timeout: toSink('timeout'),
    exception: toSink('exception'),
    error: toSink('error'),
    abort: toSink('abort'),
    end: toSink('end'),
  },
});
