import type {
  AssistantStreamError,
  AssistantStreamEvent,
  ImageFile,
  Message,
  MessageDelta,
  Run,
  RunStep,
  RunStepDelta,
  Text,
  TextDelta,
  ToolCall,
  ToolCallDelta,
  UnknownStreamEvent,
} from '../src/wire/index.ts';

// The callback vocabulary, defined once. Everything else is derived from the two declarations
// below: the machines' named callback actions and their params, the stream's listener types
// (`AssistantStreamEvents`), the handler class's method types (`StreamHandlerMethods`), what
// the stream's sink delivers, and which actions the stream provides. A new callback is one
// line in each declaration here, and the compiler points at whatever still needs a body.

/**
 * The parameters of every callback action, by action name. The names are the official
 * TypeScript SDK's event names; each machine declares the ones it fires as named actions with
 * no-op defaults, and `provide()` supplies what they do.
 */
export interface StreamCallbackParams {
  connect: Record<string, never>;
  /** `id`: the SSE id of the event's frame, when the server sent one (see `lastEventId`). */
  event: { event: AssistantStreamEvent | UnknownStreamEvent; id?: string | undefined };
  run: { run: Run };
  messageCreated: { message: Message };
  messageDelta: { delta: MessageDelta; snapshot: Message };
  messageDone: { message: Message };
  textCreated: { text: Text };
  textDelta: { delta: TextDelta; snapshot: Text };
  textDone: { text: Text; message: Message };
  imageFileDone: { imageFile: ImageFile; message: Message };
  runStepCreated: { runStep: RunStep };
  runStepDelta: { delta: RunStepDelta; snapshot: RunStep };
  runStepDone: { runStep: RunStep; snapshot: RunStep };
  toolCallCreated: { toolCall: ToolCall };
  toolCallDelta: { delta: ToolCallDelta; snapshot: ToolCall };
  toolCallDone: { toolCall: ToolCall };
  timeout: { error: AssistantStreamError };
  exception: { error: AssistantStreamError };
  error: { error: AssistantStreamError };
  abort: { error: AssistantStreamError };
  end: Record<string, never>;
}

/** The name of a callback action (`textDelta`, `runStepDone`, …). */
export type StreamCallbackName = keyof StreamCallbackParams;

/**
 * How one callback reaches the user: the order in which its params become arguments, the
 * handler-class method that receives them (if any), and whether `on(name, …)` listeners do.
 */
export interface StreamCallbackSpec<Name extends StreamCallbackName> {
  readonly args: ReadonlyArray<keyof StreamCallbackParams[Name]>;
  readonly method: `on${Capitalize<string>}` | null;
  readonly listener: boolean;
}

/**
 * Who hears each callback, in what argument order. The handler methods and listener names are
 * the official SDKs' (Python's `AssistantEventHandler`, TypeScript's `AssistantStream`): a
 * handler has `onTimeout`/`onException` but no `connect`, `run`, `error` or `abort`.
 */
export const STREAM_CALLBACKS = {
  connect: { args: [], method: null, listener: true },
  event: { args: ['event'], method: 'onEvent', listener: true },
  run: { args: ['run'], method: null, listener: true },
  messageCreated: { args: ['message'], method: 'onMessageCreated', listener: true },
  messageDelta: { args: ['delta', 'snapshot'], method: 'onMessageDelta', listener: true },
  messageDone: { args: ['message'], method: 'onMessageDone', listener: true },
  textCreated: { args: ['text'], method: 'onTextCreated', listener: true },
  textDelta: { args: ['delta', 'snapshot'], method: 'onTextDelta', listener: true },
  textDone: { args: ['text', 'message'], method: 'onTextDone', listener: true },
  imageFileDone: { args: ['imageFile', 'message'], method: 'onImageFileDone', listener: true },
  runStepCreated: { args: ['runStep'], method: 'onRunStepCreated', listener: true },
  runStepDelta: { args: ['delta', 'snapshot'], method: 'onRunStepDelta', listener: true },
  runStepDone: { args: ['runStep', 'snapshot'], method: 'onRunStepDone', listener: true },
  toolCallCreated: { args: ['toolCall'], method: 'onToolCallCreated', listener: true },
  toolCallDelta: { args: ['delta', 'snapshot'], method: 'onToolCallDelta', listener: true },
  toolCallDone: { args: ['toolCall'], method: 'onToolCallDone', listener: true },
  timeout: { args: [], method: 'onTimeout', listener: false },
  exception: { args: ['error'], method: 'onException', listener: false },
  error: { args: ['error'], method: null, listener: true },
  abort: { args: ['error'], method: null, listener: true },
  end: { args: [], method: 'onEnd', listener: true },
} as const satisfies { readonly [Name in StreamCallbackName]: StreamCallbackSpec<Name> };

type Table = typeof STREAM_CALLBACKS;

/** The arguments a callback's listeners and handler method receive, in order. */
export type StreamCallbackArgs<Name extends StreamCallbackName> = ArgsInOrder<StreamCallbackParams[Name], Table[Name]['args']>;

type ArgsInOrder<Params, Keys extends readonly unknown[]> = Keys extends readonly [infer Key, ...infer Rest]
  ? [Key extends keyof Params ? Params[Key] : never, ...ArgsInOrder<Params, Rest>]
  : [];

/** The callbacks `on(name, listener)` accepts. */
export type StreamListenerName = { [Name in StreamCallbackName]: Table[Name]['listener'] extends true ? Name : never }[StreamCallbackName];

/** The callbacks a handler class has a method for. */
type HandledCallbackName = { [Name in StreamCallbackName]: Table[Name]['method'] extends string ? Name : never }[StreamCallbackName];

/** The listener signature of each listener event, derived from the table. */
export type StreamListeners = { [Name in StreamListenerName]: (...args: StreamCallbackArgs<Name>) => void };

/** The handler-class methods (`onTextDelta`, …), derived from the table. */
export type StreamHandlerMethods = {
  [Name in HandledCallbackName as Table[Name]['method'] & string]: (...args: StreamCallbackArgs<Name>) => void;
};

/** Every listener event name (`connect`, `event`, …, `abort`), in the table's order. */
export const STREAM_LISTENER_NAMES: readonly StreamListenerName[] = (Object.keys(STREAM_CALLBACKS) as StreamCallbackName[]).filter(
  (name): name is StreamListenerName => STREAM_CALLBACKS[name].listener,
);

/** Whether `name` is a callback action of the vocabulary. */
export function isStreamCallbackName(name: string): name is StreamCallbackName {
  return Object.hasOwn(STREAM_CALLBACKS, name);
}

/** The arguments of a callback, in order, from its action params. */
export function callbackArgs<Name extends StreamCallbackName>(name: Name, params: StreamCallbackParams[Name]): StreamCallbackArgs<Name> {
  const keys = STREAM_CALLBACKS[name].args as ReadonlyArray<keyof StreamCallbackParams[Name]>;
  // Unrolled for the common lengths: this runs for every callback of every event.
  if (keys.length === 0) return [] as unknown as StreamCallbackArgs<Name>;
  if (keys.length === 1) return [params[keys[0]!]] as unknown as StreamCallbackArgs<Name>;
  return [params[keys[0]!], params[keys[1]!]] as unknown as StreamCallbackArgs<Name>;
}

/** A no-op callback action, to be replaced through `provide()`. */
export function noop<Name extends StreamCallbackName>(): (args: unknown, params: StreamCallbackParams[Name]) => void {
  return () => {};
}
