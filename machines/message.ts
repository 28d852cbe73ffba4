import { assign, enqueueActions, setup } from 'xstate';
import {
  applyDelta,
  checkDelta,
  type DeltaFault,
  type ImageFile,
  type Message,
  type MessageContent,
  type MessageContentDelta,
  type MessageDeltaWireEvent,
  type MessageWireEvent,
  type Text,
} from '../src/wire/index.ts';
import { noop } from './callbacks.ts';

/** What a message actor knows: its accumulated snapshot and which content block is open. */
export interface MessageContext {
  message: Message;
  /** Index of the open (or last) content block; -1 before the first delta. */
  block: number;
}

export interface MessageInput {
  message: Message;
}

/** One content entry of a message delta, raised so the block states can take it in turn. */
export interface BlockDeltaEvent {
  type: 'block.delta';
  delta: MessageContentDelta;
}

export type MessageEvent = MessageWireEvent | MessageDeltaWireEvent | BlockDeltaEvent;

const blockDelta = (event: MessageEvent) => (event as BlockDeltaEvent).delta;

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
 * ```
 */
export const messageMachine = setup({
  types: {} as {
    context: MessageContext;
    events: MessageEvent;
    input: MessageInput;
  },
  guards: {
    deltaFits: ({ context, event }) => event.type === 'thread.message.delta' && messageDeltaFault(context, event) === undefined,
    continuesBlock: ({ context, event }) => blockDelta(event).index === context.block,
    opensText: ({ context, event }) => blockAt(context.message, blockDelta(event).index)?.type === 'text',
    opensImageFile: ({ context, event }) => blockAt(context.message, blockDelta(event).index)?.type === 'image_file',
  },
  actions: {
    adoptCreated: assign({ message: ({ event }) => structuredClone((event as MessageWireEvent).data) }),
    adoptFinal: assign({ message: ({ event }) => (event as MessageWireEvent).data }),
    // Deltas merge in place: copying the snapshot per fragment would make a stream O(n²).
    applyDelta: ({ context, event }) => applyDelta(context.message, (event as MessageDeltaWireEvent).data.delta),
    raiseBlockDeltas: enqueueActions(({ event, enqueue }) => {
      for (const delta of (event as MessageDeltaWireEvent).data.delta.content ?? []) enqueue.raise({ type: 'block.delta', delta });
    }),
    keepSnapshot: () => {},
    moveToBlock: assign({ block: ({ event }) => blockDelta(event).index }),
    // A text entry without a `text` field (only `index` and `type`) grows nothing to report.
    announceTextDelta: enqueueActions(({ context, event, enqueue }) => {
      const delta = blockDelta(event);
      if (delta.type === 'text' && delta.text !== undefined) {
        enqueue({ type: 'textDelta', params: { delta: delta.text, snapshot: textAt(context.message, context.block) } });
      }
    }),
    messageCreated: noop<'messageCreated'>(),
    messageDelta: noop<'messageDelta'>(),
    messageDone: noop<'messageDone'>(),
    textCreated: noop<'textCreated'>(),
    textDelta: noop<'textDelta'>(),
    textDone: noop<'textDone'>(),
    imageFileDone: noop<'imageFileDone'>(),
  },
}).createMachine({
  id: 'message',
  context: ({ input }) => ({ message: structuredClone(input.message), block: -1 }),
  initial: 'new',
  states: {
    new: {
      on: {
        'thread.message.created': {
          target: 'in_progress',
          actions: ['adoptCreated', { type: 'messageCreated', params: ({ context }) => ({ message: context.message }) }],
        },
      },
    },
    in_progress: {
      initial: 'none',
      on: {
        // The accumulated snapshot is the better record (the official SDK keeps it too).
        'thread.message.in_progress': { actions: 'keepSnapshot' },
        'thread.message.delta': {
          guard: 'deltaFits',
          actions: [
            'applyDelta',
            {
              type: 'messageDelta',
              params: ({ context, event }) => ({ delta: (event as MessageDeltaWireEvent).data.delta, snapshot: context.message }),
            },
            'raiseBlockDeltas',
          ],
        },
        'block.delta': [
          { guard: 'opensText', target: '.text', reenter: true, actions: 'moveToBlock' },
          { guard: 'opensImageFile', target: '.image_file', reenter: true, actions: 'moveToBlock' },
          { target: '.other', reenter: true, actions: 'moveToBlock' },
        ],
        'thread.message.completed': { target: 'completed', actions: 'adoptFinal' },
        'thread.message.incomplete': { target: 'incomplete', actions: 'adoptFinal' },
      },
      states: {
        none: {},
        text: {
          entry: [{ type: 'textCreated', params: ({ context }) => ({ text: textAt(context.message, context.block) }) }, 'announceTextDelta'],
          on: {
            'block.delta': { guard: 'continuesBlock', actions: 'announceTextDelta' },
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
          on: { 'block.delta': { guard: 'continuesBlock' } },
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
          on: { 'block.delta': { guard: 'continuesBlock' } },
        },
      },
    },
    completed: {
      type: 'final',
      entry: { type: 'messageDone', params: ({ context }) => ({ message: context.message }) },
    },
    incomplete: {
      type: 'final',
      entry: { type: 'messageDone', params: ({ context }) => ({ message: context.message }) },
    },
  },
});

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

/**
 * The message a closing block reports against: the terminal payload when the message is
 * ending (the official SDK reports the server's final text, annotations included), else the
 * accumulated snapshot.
 */
function finalWord(context: MessageContext, event: MessageEvent): Message {
  const ending = event.type === 'thread.message.completed' || event.type === 'thread.message.incomplete';
  if (!ending) return context.message;
  const sameBlock = blockAt(event.data, context.block)?.type === blockAt(context.message, context.block)?.type;
  return sameBlock ? event.data : context.message;
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
