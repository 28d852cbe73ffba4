/**
 * How strictly the charts read a backend's lifecycle.
 *
 * - `tolerant` (the default): a backend may skip an intermediate status — a run going
 *   `queued → completed`, a step or message created already `completed` — as the official SDK
 *   accepts. Each chart draws these extra transitions guarded by `[tolerant]`.
 * - `strict`: only the transitions the charts draw without that guard; anything else fails the
 *   stream with a `lifecycle` error. The conformance suite reads servers this way.
 *
 * Impossible orders (a delta for something never created, anything after a terminal event, a
 * run going back from `completed`) fail in both modes.
 */
export type LifecycleMode = 'tolerant' | 'strict';

/** The modes, for validating options. */
export const LIFECYCLE_MODES: readonly LifecycleMode[] = ['tolerant', 'strict'];

/** The `tolerant` guard of every chart: true unless the chart was started strict. */
export const isTolerant = ({ context }: { context: { lifecycle: LifecycleMode } }): boolean => context.lifecycle !== 'strict';
