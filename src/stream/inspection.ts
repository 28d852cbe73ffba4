import type { InspectionEvent, Observer } from 'xstate';

/**
 * The mark of an inspection observer that keeps nothing of a batch of fragments it is shown:
 * it reads each fragment while it is called and holds no reference to the batch after. The
 * inspector's frame observer (`createFrameObserver`) carries it. A stream watched only by
 * such an observer empties its handled batches as an uninspected stream does (see
 * bindings.ts); any other observer may keep the batches it was shown, so they stay whole.
 */
export const KEEPS_NO_BATCH: unique symbol = Symbol.for('assistant-machines.inspect.keepsNoBatch');

/** An inspection observer as a stream's `inspect` option takes it. */
export type StreamInspection = Observer<InspectionEvent> | ((event: InspectionEvent) => void);

/**
 * Whether `inspect` may keep the batches of fragments it is shown (any observer but one marked
 * {@link KEEPS_NO_BATCH}); false when there is no observer.
 *
 * @example `mayKeepBatches(undefined) // false`
 */
export function mayKeepBatches(inspect: StreamInspection | undefined): boolean {
  if (inspect === undefined) return false;
  return (inspect as { [KEEPS_NO_BATCH]?: unknown })[KEEPS_NO_BATCH] !== true;
}
