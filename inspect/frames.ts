import { redactString } from './sanitize.ts';

/**
 * The inspection frames the inspector takes: the JSON objects `@statelyai/inspect` sends over
 * its WebSocket (`_version` 0.7.x), which our own observer produces too. One WebSocket message
 * holds one frame, or an array of frames (our sender batches).
 */

/** An actor came to life: its machine's definition (a JSON string of its config) comes along. */
export interface ActorFrame {
  type: '@xstate.actor';
  sessionId: string;
  rootId?: string | undefined;
  parentId?: string | undefined;
  /** The machine's id (`run`, `message`…), or the actor's id when it has no machine. */
  name?: string | undefined;
  /** The actor's own id (`run:run_abc`); `@statelyai/inspect` sends none. */
  actorId?: string | undefined;
  /** `JSON.stringify(machine.config)`, as `@statelyai/inspect` sends it. */
  definition?: string | undefined;
  snapshot?: unknown;
  createdAt?: string | number | undefined;
  _version?: string | undefined;
}

/** An event reached an actor (`sessionId`), from `sourceId` when it came from an actor. */
export interface EventFrame {
  type: '@xstate.event';
  sessionId: string;
  sourceId?: string | undefined;
  rootId?: string | undefined;
  event: { type: string; [key: string]: unknown };
  createdAt?: string | number | undefined;
  _version?: string | undefined;
}

/** An actor's snapshot after it took an event. */
export interface SnapshotFrame {
  type: '@xstate.snapshot';
  sessionId: string;
  rootId?: string | undefined;
  event?: unknown;
  snapshot: { value?: unknown; status?: unknown; context?: unknown; [key: string]: unknown };
  createdAt?: string | number | undefined;
  _version?: string | undefined;
}

/** One transition an actor took: the state it left (a path, `in_progress.text`), where it went, and why. */
export interface TakenTransition {
  source: string;
  targets: string[];
  /** The event type as XState names it: `thread.run.completed`, `xstate.after.5000.run.queued`, `''` for `always`. */
  eventType: string;
}

/**
 * The transitions of one microstep (our observer sends these; `@statelyai/inspect` sends none):
 * what the chart marks, exactly, instead of guessing from the values before and after.
 */
export interface MicrostepFrame {
  type: '@xstate.microstep';
  sessionId: string;
  transitions: TakenTransition[];
  _version?: string | undefined;
}

/** Any frame the inspector takes. */
export type InspectionFrame = ActorFrame | EventFrame | SnapshotFrame | MicrostepFrame;

/**
 * Our sender's own marks, first in a message: the batch's number (a resent batch the inspector
 * already has is skipped) and how many frames it had to drop while it could not connect.
 */
export interface SenderMark {
  batch: number;
  dropped: number;
}

/** The mark frame's type. */
export const BATCH_MARK = '@inspector.batch';

/** Why a frame was refused. */
export type FrameRejectionKind = 'not-json' | 'not-a-frame' | 'unknown-type' | 'missing-field' | 'too-large';

/** A frame the inspector refused: `kind` says why, the message says what and where. */
export class FrameRejection extends Error {
  override readonly name = 'FrameRejection';
  constructor(
    readonly kind: FrameRejectionKind,
    message: string,
  ) {
    super(message);
  }
}

const FRAME_TYPES = new Set(['@xstate.actor', '@xstate.event', '@xstate.snapshot', '@xstate.microstep']);
/** What XState and `@statelyai/inspect` also send, which the inspector has no use for: skipped quietly. */
const IGNORED_TYPES = new Set(['@xstate.action', '@statelyai.connected', BATCH_MARK]);

/**
 * Reads one WebSocket message: one frame or an array of frames. Returns the frames it could
 * read and a rejection for each it could not (with the index of the frame in the message);
 * a message that is not JSON is one rejection. Never throws.
 *
 * @example `const { frames, rejections } = readFrames('{"type":"@xstate.event","sessionId":"x:0","event":{"type":"go"}}');`
 */
export function readFrames(message: string): { frames: InspectionFrame[]; rejections: FrameRejection[]; mark?: SenderMark } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { frames: [], rejections: [new FrameRejection('not-json', `message of ${message.length} characters is not JSON (${reason}): ${preview(message)}`)] };
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  const frames: InspectionFrame[] = [];
  const rejections: FrameRejection[] = [];
  for (const [index, item] of items.entries()) {
    const where = Array.isArray(parsed) ? `frame ${index} of ${items.length}` : 'frame';
    const result = checkFrame(item, where);
    if (result instanceof FrameRejection) rejections.push(result);
    else if (result !== undefined) frames.push(result);
  }
  const mark = markOf(items[0]);
  return mark === undefined ? { frames, rejections } : { frames, rejections, mark };
}

function markOf(item: unknown): SenderMark | undefined {
  if (typeof item !== 'object' || item === null || (item as { type?: unknown }).type !== BATCH_MARK) return undefined;
  const { batch, dropped } = item as { batch?: unknown; dropped?: unknown };
  if (!Number.isSafeInteger(batch) || (batch as number) < 0) return undefined;
  return { batch: batch as number, dropped: Number.isSafeInteger(dropped) && (dropped as number) > 0 ? (dropped as number) : 0 };
}

/**
 * Checks one parsed frame: its `type` must be one the inspector knows, and it must carry the
 * ids and fields that type needs. Returns the frame, `undefined` for a frame type the
 * inspector skips on purpose (`@xstate.microstep`, `@xstate.action`), or a rejection.
 *
 * @example `checkFrame({ type: '@xstate.snapshot', sessionId: 'x:0', snapshot: { value: 'idle' } }, 'frame')`
 */
export function checkFrame(item: unknown, where: string): InspectionFrame | FrameRejection | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return new FrameRejection('not-a-frame', `${where} is ${item === null ? 'null' : Array.isArray(item) ? 'an array' : typeof item}, not an object with a type`);
  }
  const frame = item as Record<string, unknown>;
  const type = frame['type'];
  if (typeof type !== 'string') return new FrameRejection('not-a-frame', `${where} has no string "type"`);
  if (IGNORED_TYPES.has(type)) return undefined;
  if (!FRAME_TYPES.has(type)) return new FrameRejection('unknown-type', `${where} has unknown type ${JSON.stringify(preview(type))} (expected @xstate.actor, @xstate.event or @xstate.snapshot)`);
  if (typeof frame['sessionId'] !== 'string' || frame['sessionId'] === '') return new FrameRejection('missing-field', `${where} (${type}) has no "sessionId"`);
  for (const name of ['rootId', 'parentId', 'sourceId', 'name', 'definition', 'actorId'] as const) {
    const value = frame[name];
    if (value !== undefined && value !== null && typeof value !== 'string') return new FrameRejection('missing-field', `${where} (${type}) has a "${name}" that is not a string`);
  }
  if (type === '@xstate.event') {
    const event = frame['event'];
    if (typeof event !== 'object' || event === null || typeof (event as { type?: unknown }).type !== 'string') {
      return new FrameRejection('missing-field', `${where} (@xstate.event for ${frame['sessionId']}) has no "event" with a string "type"`);
    }
  }
  if (type === '@xstate.microstep') {
    // XState's own microsteps (and other senders') carry live objects, not paths: skipped.
    return Array.isArray(frame['transitions']) && frame['transitions'].every(isTakenTransition) ? (frame as unknown as MicrostepFrame) : undefined;
  }
  if (type === '@xstate.snapshot' && (typeof frame['snapshot'] !== 'object' || frame['snapshot'] === null)) {
    return new FrameRejection('missing-field', `${where} (@xstate.snapshot for ${frame['sessionId']}) has no "snapshot" object`);
  }
  return frame as unknown as InspectionFrame;
}

// What a rejection quotes of a bad frame: its head, with anything like an API key redacted.
function preview(text: string): string {
  return redactString(text.length <= 80 ? text : `${text.slice(0, 80)}…`);
}

function isTakenTransition(item: unknown): item is TakenTransition {
  if (typeof item !== 'object' || item === null) return false;
  const { source, targets, eventType } = item as Record<string, unknown>;
  return typeof source === 'string' && typeof eventType === 'string' && Array.isArray(targets) && targets.every((target) => typeof target === 'string');
}
