import { assertEvent, assign, enqueueActions, sendParent, setup, type ActorRefFrom } from 'xstate';
import {
  applyDelta,
  AssistantStreamError,
  checkDelta,
  copyJSON,
  growString,
  type DeltaFault,
  type ImageFile,
  type Message,
  type MessageContent,
  type MessageContentDelta,
  type MessageDeltaWireEvent,
  type MessageWireEvent,
  type Text,
  type TextDelta,
} from '../src/wire/index.ts';
import { announceEvent, fragmentEventParams } from './announce.ts';
import { noop, type StreamCallbackParams } from './callbacks.ts';
import { isTolerant, type LifecycleMode } from './lifecycle.ts';

/** What a message actor knows: its accumulated snapshot and which content block is open. */
export interface MessageContext {
  message: Message;
  /** Index of the open (or last) content block; -1 before the first delta. */
  block: number;
  lifecycle: LifecycleMode;
}

/** Spawn input: the message of its `thread.message.created` event. */
export interface MessageInput {
  message: Message;
  /** `strict` refuses the transitions drawn `[tolerant]`; default `tolerant`. */
  lifecycle?: LifecycleMode | undefined;
}

/** One content entry of a message delta, raised so the block states can take it in turn. */
export interface BlockDeltaEvent {
  type: 'block.delta';
  delta: MessageContentDelta;
}

/**
 * A run of consecutive text fragments that all continue the open text block, as the stream
 * facade batches them (see `sourceActor`): the same effect as sending each delta in turn, in
 * one transition instead of one per fragment. Every fragment of a batch carries the decoder's
 * `fragment` mark (its exact shape was checked there); a batch that does not fit is refused.
 */
export interface TextFragmentsEvent {
  type: 'text.fragments';
  fragments: MessageDeltaWireEvent[];
}

/** Everything a message actor reacts to. */
export type MessageEvent = MessageWireEvent | MessageDeltaWireEvent | BlockDeltaEvent | TextFragmentsEvent;

const announceMessageDelta = {
  type: 'messageDelta',
  params: ({ context, event }: { context: MessageContext; event: MessageDeltaWireEvent }) => ({
    delta: event.data.delta,
    snapshot: context.message,
  }),
} as const;

// Guards and actions that read the event take it as typed params, from transitions where
// XState has already narrowed it: the compiler checks them, and nothing is re-tested per delta.
const theDelta = ({ event }: { event: MessageDeltaWireEvent }) => event;
const theBlockDelta = ({ event }: { event: BlockDeltaEvent }) => event.delta;
const theFragments = ({ event }: { event: TextFragmentsEvent }) => event.fragments;
const continuesBlock = { type: 'continuesBlock', params: theBlockDelta } as const;
const moveToBlock = { type: 'moveToBlock', params: theBlockDelta } as const;
const adoptFinal = { type: 'adoptFinal', params: ({ event }: { event: MessageWireEvent }) => event.data } as const;
// The server's final word goes to the callbacks as it came; the chart keeps its own copy, so
// what a listener does to that object cannot change the finals.
const created = {
  target: 'in_progress',
  actions: [
    { type: 'adoptCreated', params: ({ event }: { event: MessageWireEvent }) => event.data },
    { type: 'messageCreated', params: ({ context }: { context: MessageContext }) => ({ message: context.message }) },
  ],
} as const;
const announceFinal = { type: 'messageDone', params: ({ event }: { event: MessageWireEvent }) => ({ message: event.data }) } as const;

/** The callbacks of one text fragment of a batch, in their order. */
export interface TextFragmentParams {
  event: StreamCallbackParams['event'];
  messageDelta: StreamCallbackParams['messageDelta'];
  textDelta: StreamCallbackParams['textDelta'];
}

/**
 * `textFragment`: one fragment of a batch announces `event`, `messageDelta` and `textDelta`.
 * By default it runs those three named actions, so implementations provided for them see
 * every fragment. The stream facade provides `textFragment` itself, as one action that calls
 * the same three callbacks: XState's cost per action is most of a fragment's cost, and a
 * fragment is most of a stream.
 */

/**
 * One message and its content blocks. Each delta is merged into the snapshot, announced as a
 * `messageDelta`, then split into one `block.delta` per content entry; the `blocks` region
 * walks through the content one block at a time: entering a text block announces
 * `textCreated`, leaving it `textDone`, leaving an image block `imageFileDone` — so a block is
 * always done before the next one begins, and before `messageDone`.
 *
 * ```
 * new ─created / messageCreated─► in_progress ─completed|incomplete─► final / messageDone
 *   in_progress.blocks: none ─► text ⇄ image_file ⇄ other  (one block open at a time)
 *   in text: a plain fragment of this block ⟲ appendText, messageDelta, textDelta (one step)
 *            text.fragments ⟲ the same for each fragment of a batch
 * ```
 *
 * Tolerant (the default) also takes a `thread.message.created` whose message is already
 * `completed` or `incomplete` (some backends create a message whole); strict takes `created`
 * only for an `in_progress` message.
 */
const messageSetup = setup({
  types: {} as {
    context: MessageContext;
    events: MessageEvent;
    input: MessageInput;
  },
  guards: {
    tolerant: isTolerant,
    createdInProgress: (_, message: Message) => message.status === 'in_progress',
    deltaFits: ({ context }, event: MessageDeltaWireEvent) => messageDeltaFault(context, event) === undefined,
    // Exactly one more piece of the open text and nothing else: the merge is a plain append.
    growsOpenText: ({ context }, event: MessageDeltaWireEvent) => growsText(context, event),
    allGrowOpenText: ({ context }, fragments: MessageDeltaWireEvent[]) => fragments.every((fragment) => growsText(context, fragment)),
    continuesBlock: ({ context }, delta: MessageContentDelta) => delta.index === context.block,
    opensText: ({ context }, delta: MessageContentDelta) => blockAt(context.message, delta.index)?.type === 'text',
    opensImageFile: ({ context }, delta: MessageContentDelta) => blockAt(context.message, delta.index)?.type === 'image_file',
  },
  actions: {
    adoptCreated: assign({ message: (_, message: Message) => copyJSON(message) }),
    adoptFinal: assign({ message: (_, message: Message) => finalCopyOf(message) }),
    appendText,
    refuseFragments: sendParent((_, fragments: MessageDeltaWireEvent[]) => ({
      type: 'child.fault',
      error: new AssistantStreamError('lifecycle', 'a batch of text fragments that does not continue the open text block', {
        eventIndex: fragments[0]?.seq,
        eventName: 'thread.message.delta',
      }),
    })),
    // Deltas merge in place: copying the snapshot per fragment would make a stream O(n²).
    applyDelta: ({ context }, event: MessageDeltaWireEvent) => applyDelta(context.message, event.data.delta),
    keepSnapshot: () => {},
    reportFault: sendParent(({ context }, event: MessageDeltaWireEvent) => ({ type: 'child.fault', error: explainDeltaFault(context, event) })),
    moveToBlock: assign({ block: (_, delta: MessageContentDelta) => delta.index }),
    // A text entry without a `text` field (only `index` and `type`) grows nothing to report.
    messageCreated: noop<'messageCreated'>(),
    messageDelta: noop<'messageDelta'>(),
    messageDone: noop<'messageDone'>(),
    textCreated: noop<'textCreated'>(),
    textDelta: noop<'textDelta'>(),
    textDone: noop<'textDone'>(),
    imageFileDone: noop<'imageFileDone'>(),
    event: noop<'event'>(),
  },
});

// Actions that enqueue other named actions are added once those are declared: declaring them
// in the same object would make XState's types of every action's params circular.
export const messageMachine = messageSetup
  .extend<{ textFragment: TextFragmentParams; raiseBlockDeltas: undefined; announceTextDelta: undefined }>({
    actions: {
      textFragment: enqueueActions(({ enqueue }, params: TextFragmentParams) => {
        enqueue({ type: 'event', params: params.event });
        enqueue({ type: 'messageDelta', params: params.messageDelta });
        enqueue({ type: 'textDelta', params: params.textDelta });
      }),
    raiseBlockDeltas: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'thread.message.delta');
      for (const delta of event.data.delta.content ?? []) enqueue.raise({ type: 'block.delta', delta: { ...delta } });
    }),
    announceTextDelta: enqueueActions(({ context, event, enqueue }) => {
      // Also the entry action of the text state, where the event is the block delta that opened it.
      assertEvent(event, 'block.delta');
      const { delta } = event;
      if (delta.type === 'text' && delta.text !== undefined) {
        enqueue({ type: 'textDelta', params: { delta: delta.text, snapshot: textAt(context.message, context.block) } });
      }
    }),
    },
  })
  .extend<{ growTextByEach: undefined }>({
    actions: {
      // Each fragment as its own `thread.message.delta` transition would do it, in order (the
      // append first, so one action can announce the fragment's three callbacks; see above).
    growTextByEach: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'text.fragments');
      const text = textAt(context.message, context.block);
      for (const fragment of event.fragments) {
        enqueue({ type: 'appendText', params: { text, value: fragmentText(fragment).value! } });
        enqueue({ type: 'textFragment', params: fragmentCallbacks(context, fragment, text) });
      }
    }),
    },
  })
  .createMachine({
  id: 'message',
  context: ({ input }) => ({ message: copyJSON(input.message), block: -1, lifecycle: input.lifecycle ?? 'tolerant' }),
  initial: 'new',
  // Only deltas reach here: the stream checks every other event against this chart first.
  on: {
    'thread.message.delta': { actions: { type: 'reportFault', params: theDelta } },
    'text.fragments': { actions: { type: 'refuseFragments', params: theFragments } },
  },
  states: {
    new: {
      on: {
        'thread.message.created': [
          { guard: { type: 'createdInProgress', params: ({ event }) => event.data }, ...created },
          { guard: 'tolerant', ...created },
        ],
      },
    },
    in_progress: {
      initial: 'none',
      on: {
        // The accumulated snapshot is the better record (the official SDK keeps it too).
        'thread.message.in_progress': { actions: 'keepSnapshot' },
        'thread.message.delta': [
          {
            guard: { type: 'deltaFits', params: theDelta },
            // The block deltas are raised (taken after this transition) before any listener sees
            // the delta, each as its own copy: what a listener does to the delta cannot steer them.
            actions: [announceEvent, { type: 'applyDelta', params: theDelta }, 'raiseBlockDeltas', announceMessageDelta],
          },
          { actions: { type: 'reportFault', params: theDelta } },
        ],
        'block.delta': [
          { guard: { type: 'opensText', params: theBlockDelta }, target: '.text', reenter: true, actions: moveToBlock },
          { guard: { type: 'opensImageFile', params: theBlockDelta }, target: '.image_file', reenter: true, actions: moveToBlock },
          { target: '.other', reenter: true, actions: moveToBlock },
        ],
        'thread.message.completed': { target: 'completed', actions: [adoptFinal, announceFinal] },
        'thread.message.incomplete': { target: 'incomplete', actions: [adoptFinal, announceFinal] },
      },
      states: {
        none: {},
        text: {
          entry: [{ type: 'textCreated', params: ({ context }) => ({ text: textAt(context.message, context.block) }) }, 'announceTextDelta'],
          on: {
            // The bulk of every stream: one more fragment of the open text, in one step.
            'thread.message.delta': {
              guard: { type: 'growsOpenText', params: theDelta },
              // As one fragment of a batch: appended first, then its three callbacks from params
              // taken together, so a listener of one cannot change what the next one is given.
              actions: [
                {
                  type: 'appendText',
                  params: ({ context, event }) => ({ text: textAt(context.message, context.block), value: fragmentText(event).value! }),
                },
                { type: 'textFragment', params: ({ context, event }) => fragmentCallbacks(context, event, textAt(context.message, context.block)) },
              ],
            },
            'text.fragments': [
              { guard: { type: 'allGrowOpenText', params: theFragments }, actions: 'growTextByEach' },
              { actions: { type: 'refuseFragments', params: theFragments } },
            ],
            'block.delta': { guard: continuesBlock, actions: 'announceTextDelta' },
          },
          exit: {
            type: 'textDone',
            params: ({ context, event }) => {
              const message = finalWord(context, event);
              return { text: textAt(message, context.block), message };
            },
          },
        },
        image_file: {
          on: { 'block.delta': { guard: continuesBlock } },
          exit: {
            type: 'imageFileDone',
            params: ({ context, event }) => {
              const message = finalWord(context, event);
              return { imageFile: imageFileAt(message, context.block), message };
            },
          },
        },
        // refusal and image_url blocks (and blocks of types this version does not know) have
        // no callbacks of their own; they still close the block before them.
        other: {
          on: { 'block.delta': { guard: continuesBlock } },
        },
      },
    },
    completed: { type: 'final' },
    incomplete: { type: 'final' },
  },
});

/**
 * Whether a marked text fragment continues the message's open text block: the message is in
 * its `in_progress.text` state with that block open. The stream facade asks this before it
 * batches fragments for the message (see {@link TextFragmentsEvent}).
 */
export function continuesOpenText(message: ActorRefFrom<typeof messageMachine>, fragment: MessageDeltaWireEvent): boolean {
  const snapshot = message.getSnapshot();
  return snapshot.context.block === fragment.data.delta.content![0]!.index && snapshot.matches({ in_progress: 'text' });
}

/**
 * Why a `thread.message.delta` cannot apply to this message, or undefined if it can. Beyond
 * the merge rules, content blocks only move forward: a block that is done stays done.
 */
export function messageDeltaFault(context: MessageContext, event: MessageDeltaWireEvent): DeltaFault | undefined {
  let open = context.block;
  const content = event.data.delta.content ?? [];
  for (let i = 0; i < content.length; i++) {
    const index = content[i]!.index;
    if (Number.isSafeInteger(index) && index < open) {
      return { kind: 'invalid-index', detail: `content block ${index} is already done`, path: `data.delta.content[${i}].index` };
    }
    open = index;
  }
  return checkDelta(context.message, event.data.delta, 'data.delta');
}

function appendText(_: unknown, { text, value }: { text: Text; value: string }): void {
  growString(text, 'value', value);
}

function growsText(context: MessageContext, event: MessageDeltaWireEvent): boolean {
  // The decoder marks the exact shape of a plain text fragment; an unmarked delta (built by
  // hand, or of any other shape) takes the general path, which checks everything.
  return event.fragment === true && event.data.delta.content![0]!.index === context.block && typeof textAt(context.message, context.block).value === 'string';
}

/**
 * What `growTextByEach` does for each fragment of a batch, as one plain function: appends the
 * fragment to the open text block, then hands its callbacks' params to `announce`. The stream
 * facade provides `growTextByEach` as a loop over this (see src/stream/bindings.ts): the same
 * appends and callbacks in the same order as the chart's own two actions per fragment, without
 * XState's cost per action, which is most of what a fragment costs.
 */
export function growTextByFragment(context: MessageContext, fragment: MessageDeltaWireEvent, announce: (params: TextFragmentParams) => void): void {
  const text = textAt(context.message, context.block);
  appendText(undefined, { text, value: fragmentText(fragment).value! });
  announce(fragmentCallbacks(context, fragment, text));
}

/** What one text fragment announces: the event, the message delta and the text delta. */
function fragmentCallbacks(context: MessageContext, fragment: MessageDeltaWireEvent, text: Text): TextFragmentParams {
  return {
    event: fragmentEventParams(fragment),
    messageDelta: { delta: fragment.data.delta, snapshot: context.message },
    textDelta: { delta: fragmentText(fragment), snapshot: text },
  };
}

/** The `text` of a fragment that passed {@link growsText}. */
function fragmentText(event: MessageDeltaWireEvent): TextDelta {
  return (event.data.delta.content![0] as Extract<MessageContentDelta, { type: 'text' }>).text!;
}

/** The error a refused delta fails the stream with. */
function explainDeltaFault(context: MessageContext, event: MessageDeltaWireEvent): AssistantStreamError {
  const where = { eventIndex: event.seq, eventName: event.type };
  const fault = messageDeltaFault(context, event);
  if (fault === undefined) return new AssistantStreamError('lifecycle', 'the message is not open for deltas', where);
  return new AssistantStreamError(fault.kind, fault.detail, { ...where, path: fault.path });
}

/**
 * The message a closing block reports against: the terminal payload when the message is
 * ending (the official SDK reports the server's final text, annotations included), else the
 * accumulated snapshot.
 */
function finalWord(context: MessageContext, event: MessageEvent): Message {
  const ending = event.type === 'thread.message.completed' || event.type === 'thread.message.incomplete';
  if (!ending) return context.message;
  const sameBlock = blockAt(event.data, context.block)?.type === blockAt(context.message, context.block)?.type;
  if (!sameBlock) return context.message;
  // The block's done callback runs as an exit action, before the transition adopts the payload:
  // the chart's copy is taken now, before any listener is handed the payload.
  finalCopyOf(event.data);
  return event.data;
}

// The copy of a terminal payload the chart adopts, taken the first time it is asked for.
const finalCopies = new WeakMap<Message, Message>();

/**
 * The chart's own copy of a `thread.message.completed`/`incomplete` payload: taken once, the
 * first time it is asked for, so asking before the payload goes to a callback (see
 * {@link finalWord}) keeps whatever that callback does to it out of the finals.
 */
function finalCopyOf(message: Message): Message {
  let copy = finalCopies.get(message);
  if (copy === undefined) {
    copy = copyJSON(message);
    finalCopies.set(message, copy);
  }
  return copy;
}

function blockAt(message: Message, index: number): MessageContent | undefined {
  return message.content[index];
}

function textAt(message: Message, index: number): Text {
  return (blockAt(message, index) as Extract<MessageContent, { type: 'text' }>).text;
}

function imageFileAt(message: Message, index: number): ImageFile {
  return (blockAt(message, index) as Extract<MessageContent, { type: 'image_file' }>).image_file;
}
