import type { AnyActorRef } from 'xstate';
import type { AssistantStreamContext } from '../../machines/assistantStream.ts';
import type { PendingByteSource, ResponsesTranslator } from '../wire/index.ts';
import type { AssistantStreamOptions } from './AssistantStream.ts';
import type { StreamSink } from './sink.ts';

export type { ResumedStream } from './resume.ts';

/** The actor system of any actor (one per stream: the root's). */
export type AnyActorSystem = AnyActorRef['system'];

/** The options of a stream that its source actor reads (see `AssistantStreamOptions`). */
export const SOURCE_OPTION_NAMES = [
  'idleTimeoutMs',
  'deadlineMs',
  'heartbeatsCountAsProgress',
  'readErrorCause',
  'protocol',
  'runId',
  'startingAfter',
  'resume',
  'maxFrameLength',
  'lifecycle',
] as const;

/** What one running stream reads from: its bytes, their format, and its source options. */
export interface StreamInput extends Pick<AssistantStreamOptions, (typeof SOURCE_OPTION_NAMES)[number]> {
  source: PendingByteSource;
  format: 'sse' | 'ndjson';
}

/** One running stream's I/O: where its bytes come from and where its callbacks go. */
export interface StreamSession {
  input: StreamInput;
  sink: StreamSink;
  /** The stream's root actor, whose children take the deltas directly. */
  root: AnyActorRef & { getSnapshot(): { context: AssistantStreamContext } };
  /**
   * Whether an inspection observer that may keep the events it is shown watches the stream's
   * actors: then a handled batch of fragments is left as it was (see bindings.ts). False for
   * none, and for one marked as keeping no batch (see inspection.ts).
   */
  inspected: boolean;
  /** Set by the source once it recognises a Responses stream: the adapter and its response. */
  responses?: ResponsesTranslator | undefined;
}

// The machines are provided once per process (provide() rebuilds a machine, ≈1 ms); each
// stream's actors find their session through the actor system they run in, which is unique
// to the stream's root actor.
const sessions = new WeakMap<AnyActorSystem, StreamSession>();

/** @internal Makes `session` the one the actors of `system` find. */
export function attachSession(system: AnyActorSystem, session: StreamSession): void {
  sessions.set(system, session);
}

/** @internal The session of the stream whose actors run in `system`. */
export function sessionOf(system: AnyActorSystem): StreamSession | undefined {
  return sessions.get(system);
}
