import type { InspectionEvent } from 'xstate';
import { stateName } from '../../machines/index.ts';

/** The states one actor of a stream went through, in order, repeats collapsed. */
export interface ActorHistory {
  /** `assistantStream` for the root, else the machine: `run`, `runStep`, `message`, `toolCall`. */
  machine: string;
  /** What the actor tracks: a run, step or message id; `step_…#0` for a tool call; '' for the root. */
  subject: string;
  /** Its state values, dotted (`in_progress.streaming`), in the order it entered them. */
  states: string[];
}

/**
 * Records, through XState's inspection API, the states every actor of a stream goes through:
 * pass `journal.inspect` as a stream's `inspect` option (one journal per stream), then read
 * {@link histories}. Only snapshots whose state value changed are kept, so the cost per delta
 * is one comparison.
 *
 * @example
 * ```ts
 * const journal = new StateJournal();
 * await client.beta.threads.runs.stream(threadId, { assistant_id }, { inspect: journal.inspect }).done();
 * for (const { machine, states } of journal.histories()) console.log(machine, states.join(' → '));
 * ```
 */
export class StateJournal {
  readonly #histories = new Map<string, ActorHistory>();

  /** The inspection observer: give it to `AssistantStream.fromSSE` or a stream helper. */
  readonly inspect = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.snapshot') return;
    const value = (event.snapshot as { value?: unknown }).value;
    if (value === undefined) return;
    const { sessionId } = event.actorRef;
    // Every actor of a stream is a full ActorRef with its id; the inspection type only promises less.
    const id = (event.actorRef as { id?: string }).id ?? sessionId;
    let history = this.#histories.get(sessionId);
    if (history === undefined) {
      history = { ...describeActor(id, sessionId === event.rootId), states: [] };
      this.#histories.set(sessionId, history);
    }
    const state = stateName(value);
    if (history.states.at(-1) !== state) history.states.push(state);
  };

  /** Every actor seen, in the order each first reported a state: root, run, steps, messages… */
  histories(): ActorHistory[] {
    return [...this.#histories.values()].map((history) => ({ ...history, states: [...history.states] }));
  }
}

// Children are spawned as `run:<id>`, `runStep:<id>`, `message:<id>`, `toolCall:<stepId>:<index>`.
function describeActor(id: string, isRoot: boolean): Pick<ActorHistory, 'machine' | 'subject'> {
  if (isRoot) return { machine: 'assistantStream', subject: '' };
  const [machine = id, ...rest] = id.split(':');
  if (machine === 'toolCall' && rest.length === 2) return { machine, subject: `${rest[0]}#${rest[1]}` };
  return { machine, subject: rest.join(':') };
}
