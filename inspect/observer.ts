import type { ActorRefLike, InspectionEvent } from 'xstate';
import type { ActorFrame, InspectionFrame, TakenTransition } from './frames.ts';
import { DEFINITION_LIMITS, sanitize } from './sanitize.ts';
import { KEEPS_NO_BATCH } from '../src/stream/inspection.ts';

/** An XState inspection observer: what the `inspect` option of a stream or `createActor` takes. */
export type InspectionObserver = (event: InspectionEvent) => void;

/**
 * Turns XState inspection events into inspection frames (the shape `@statelyai/inspect` sends)
 * and hands each to `sink`. Ids are made unique across actor systems: XState numbers session
 * ids per system (`x:0`, `x:1`…), and every stream of ours is a system of its own, so two
 * streams would both have an `x:0`; here they become `s1/x:0` and `s2/x:0`.
 *
 * Frames carry live references (the event, the snapshot's context): a sink that keeps them
 * must copy what it keeps. A microstep that changed state becomes an `@xstate.microstep` frame
 * with the transitions taken, as state paths (what the chart marks, exactly); the rest of the
 * microsteps, and `@xstate.action`, are skipped.
 *
 * A stream's batch of fragments never reaches `sink`: each fragment goes as an event frame of
 * its own, and the snapshot after the batch names it by its type alone (`{ type:
 * 'text.fragments' }`). So the observer keeps nothing of a batch, and says so (`KEEPS_NO_BATCH`):
 * a stream it watches empties its handled batches as an uninspected one does.
 *
 * @example
 * ```ts
 * const frames: InspectionFrame[] = [];
 * const actor = createActor(machine, { inspect: createFrameObserver((frame) => frames.push(frame)) });
 * ```
 */
export function createFrameObserver(sink: (frame: InspectionFrame) => void): InspectionObserver {
  const systems = new WeakMap<object, string>();
  const definitions = new WeakMap<object, string | undefined>();
  let systemCount = 0;
  // Called for every event and snapshot: two WeakMap lookups and a concatenation at most.
  const ids = new WeakMap<object, string>();
  const idOf = (actorRef: ActorRefLike): string => {
    let id = ids.get(actorRef);
    if (id === undefined) {
      const system = (actorRef as { system?: object }).system ?? actorRef;
      let prefix = systems.get(system);
      if (prefix === undefined) {
        systemCount += 1;
        prefix = `s${systemCount}`;
        systems.set(system, prefix);
      }
      id = `${prefix}/${actorRef.sessionId}`;
      ids.set(actorRef, id);
    }
    return id;
  };
  const definitionOf = (logic: unknown): string | undefined => {
    if (typeof logic !== 'object' || logic === null) return undefined;
    if (definitions.has(logic)) return definitions.get(logic);
    const config = (logic as { config?: unknown }).config;
    const definition = typeof config === 'object' && config !== null ? definitionJson(config) : undefined;
    definitions.set(logic, definition);
    return definition;
  };

  const observer = (inspection: InspectionEvent): void => {
    switch (inspection.type) {
      case '@xstate.event':
        if (isFragmentBatch(inspection.event)) {
          // A batch of fragments (of text, or of one tool call) is the stream's own shortcut
          // (docs/design.md): it is shown as the deltas it carries, as they came over the wire.
          const sessionId = idOf(inspection.actorRef);
          const sourceId = inspection.sourceRef === undefined ? undefined : idOf(inspection.sourceRef);
          for (const fragment of inspection.event.fragments) sink({ type: '@xstate.event', sessionId, sourceId, event: fragment });
          return;
        }
        sink({
          type: '@xstate.event',
          sessionId: idOf(inspection.actorRef),
          sourceId: inspection.sourceRef === undefined ? undefined : idOf(inspection.sourceRef),
          event: inspection.event,
        });
        return;
      case '@xstate.snapshot': {
        const snapshot = inspection.snapshot as { value?: unknown; status?: unknown; context?: unknown };
        const event = inspection.event;
        sink({
          type: '@xstate.snapshot',
          sessionId: idOf(inspection.actorRef),
          // The batch itself is emptied once handled (its fragments were sent as events).
          event: isFragmentBatch(event) ? batchTypes[event.type] : event,
          snapshot: { value: snapshot.value, status: snapshot.status, context: snapshot.context },
        });
        return;
      }
      case '@xstate.microstep': {
        // Every event is a microstep, nearly all with one targetless transition (a delta): the
        // loop finds none with a target and sends nothing.
        const transitions = (inspection as { _transitions?: unknown })._transitions;
        if (!Array.isArray(transitions)) return;
        let taken: TakenTransition[] | undefined;
        for (const transition of transitions as TransitionLike[]) {
          const targets = transition.target;
          if (targets === undefined || targets.length === 0) continue;
          taken ??= [];
          taken.push({ source: pathOf(transition.source), targets: targets.map(pathOf), eventType: transition.eventType });
        }
        if (taken !== undefined) sink({ type: '@xstate.microstep', sessionId: idOf(inspection.actorRef), transitions: taken });
        return;
      }
      case '@xstate.actor': {
        const actorRef = inspection.actorRef;
        const logic = (actorRef as { logic?: unknown }).logic;
        const config = (logic as { config?: { id?: unknown } } | undefined)?.config;
        const actorId = (actorRef as { id?: unknown }).id;
        const parent = (actorRef as { _parent?: ActorRefLike })._parent;
        const frame: ActorFrame = {
          type: '@xstate.actor',
          sessionId: idOf(actorRef),
          rootId: rootOf(actorRef, idOf),
          parentId: parent === undefined ? undefined : idOf(parent),
          name: typeof config?.id === 'string' ? config.id : typeof actorId === 'string' ? actorId : actorRef.sessionId,
          // A root's id is its session id (`x:3`): a number, not a name, so it is left out.
          actorId: typeof actorId === 'string' && actorId !== actorRef.sessionId ? actorId : undefined,
          definition: definitionOf(logic),
        };
        sink(frame);
        return;
      }
    }
  };
  return Object.assign(observer, { [KEEPS_NO_BATCH]: true });
}

// What a batch's snapshot frame carries as its event: one frozen object per kind of batch.
const batchTypes = {
  'text.fragments': Object.freeze({ type: 'text.fragments' }),
  'toolCall.fragments': Object.freeze({ type: 'toolCall.fragments' }),
} as const;

function rootOf(actorRef: ActorRefLike, idOf: (actorRef: ActorRefLike) => string): string {
  let root = actorRef;
  for (let parent = (root as { _parent?: ActorRefLike })._parent; parent !== undefined; parent = (root as { _parent?: ActorRefLike })._parent) root = parent;
  return idOf(root);
}

function isFragmentBatch(event: { type: string }): event is { type: 'text.fragments' | 'toolCall.fragments'; fragments: Array<{ type: string }> } {
  return (event.type === 'text.fragments' || event.type === 'toolCall.fragments') && Array.isArray((event as { fragments?: unknown }).fragments);
}

/**
 * A machine's definition as the observer sends it: its config as JSON, functions and cycles
 * replaced and long strings cut (`DEFINITION_LIMITS`). The inspector's build lays the library's
 * charts out from exactly this form (inspect/chartLayouts.ts).
 *
 * @example `chartOf(JSON.parse(definitionJson(runMachine.config)))`
 */
export function definitionJson(config: object): string {
  return JSON.stringify(sanitize(config, DEFINITION_LIMITS));
}

/** What the observer reads of XState's transition definitions (its `@xstate.microstep` `_transitions`). */
interface TransitionLike {
  source: { path: readonly string[] };
  target?: ReadonlyArray<{ path: readonly string[] }> | undefined;
  eventType: string;
}

function pathOf(node: { path: readonly string[] }): string {
  return node.path.join('.');
}
