import type { AssistantStreamError, PendingByteSource, ResponseObject } from '../wire/index.ts';

/** Where a Responses stream stood when its connection was cut: what resuming it starts from. */
export interface ResponseStreamPosition {
  /** The response being streamed. */
  responseId: string;
  /** The `sequence_number` of the last event the stream read: the rest starts after it. */
  lastSequence: number;
  /** The response as the stream has it so far (its items, their text). */
  response: ResponseObject;
  /** The `output_index` of each item the stream saw added but not done. */
  unfinishedItems: readonly number[];
  /** How the connection ended: the error the stream fails with if it is not resumed. */
  error: AssistantStreamError;
}

/** The rest of a cut Responses stream, and the event that announces how it was picked up. */
export interface ResumedStream {
  /** The events after `lastSequence`, numbered on from it, in the same protocol. */
  source: PendingByteSource;
  /** Delivered before them as an event of its own (listeners see it under its name, `event` listeners too). */
  notice?: { event: string; data: Record<string, unknown> } | undefined;
}

/** Picks a cut Responses stream up again, or says it cannot (undefined: the stream fails with `position.error`). */
export type ResumeResponseStream = (position: ResponseStreamPosition) => Promise<ResumedStream | undefined>;
