import { stateName } from '../../machines/assistantStream.ts';
import type { LifecycleMode } from '../../machines/lifecycle.ts';
import { AssistantStream } from '../stream/AssistantStream.ts';
import { formatSSEFrame, SSE_DONE_FRAME, type AssistantStreamError, type Run } from '../wire/index.ts';
import type { ChartPath } from './chartPaths.ts';

/** What playing a {@link ChartPath} through `AssistantStream` gave. */
export interface PlayedPath {
  /** The state of the path's chart's actor at the end (`stateName` spelling; `new` if never spawned). */
  state: string;
  /** The final run's status, if the stream ended with one. */
  finalRunStatus?: Run['status'];
  /** The error kind the stream ended with, if any. */
  error?: string;
}

/** The idle timeout a `stall` step trips (the stream waits for bytes that never come). */
const STALL_TIMEOUT_MS = 20;

/**
 * Plays a path's steps through `AssistantStream` as server-sent events (a listener throws at a
 * `throw` step, `abort()` is called at an `abort` step, a broken frame is sent at `malformed`,
 * the input goes quiet at `stall`), and reads where the path's chart ended.
 *
 * @example
 * ```ts
 * const played = await playChartPath(path);
 * if (played.state !== path.state) console.log(`${path.description}: ended ${played.state}`);
 * ```
 */
export async function playChartPath(path: ChartPath, { lifecycle = 'tolerant' }: { lifecycle?: LifecycleMode } = {}): Promise<PlayedPath> {
  const stalls = path.steps.some((step) => step.kind === 'stall');
  let stream: AssistantStream | undefined;
  let throwNext = false;
  async function* source(): AsyncGenerator<string> {
    for (const step of path.steps) {
      if (step.kind === 'event') yield formatSSEFrame(step.event, step.data);
      else if (step.kind === 'end') return void (yield SSE_DONE_FRAME);
      else if (step.kind === 'malformed') yield 'event: thread.run.in_progress\ndata: {"id": broken\n\n';
      else if (step.kind === 'stall') await new Promise(() => {});
      else if (step.kind === 'abort') {
        stream!.abort();
        await new Promise(() => {});
      } else if (step.kind === 'throw') {
        // The next event's listener throws: a marker event nobody else reacts to.
        throwNext = true;
        yield formatSSEFrame('thread.created', { id: 'thread_1', object: 'thread', created_at: 0, metadata: {}, tool_resources: {} });
      }
    }
    yield SSE_DONE_FRAME;
  }
  stream = AssistantStream.fromSSE(source(), { lifecycle, ...(stalls ? { idleTimeoutMs: STALL_TIMEOUT_MS } : {}) });
  stream.on('event', (event) => {
    if (throwNext && event.event === 'thread.created') throw new Error('a listener failed');
  });
  const played: PlayedPath = { state: '' };
  try {
    played.finalRunStatus = (await stream.finalRun()).status;
  } catch (error) {
    played.error = (error as AssistantStreamError).kind;
  }
  played.state = chartState(stream, path);
  return played;
}

function chartState(stream: AssistantStream, path: ChartPath): string {
  const { context, value } = stream.actor.getSnapshot();
  const of = (actor: { getSnapshot(): { value: unknown } } | undefined) => (actor === undefined ? 'new' : stateName(actor.getSnapshot().value));
  switch (path.chart) {
    case 'assistantStream':
      return stateName(value);
    case 'run':
      return actorState(of(context.runs.get('run_1')), 'unseen');
    case 'runStep':
      return of(context.runSteps.get('step_1'));
    case 'message':
      return of(context.messages.get('msg_1'));
    case 'toolCall':
      return of(context.runSteps.get('step_1')?.getSnapshot().context.toolCalls.get(0));
  }
}

// A run chart that never spawned is in its initial state.
function actorState(state: string, initial: string): string {
  return state === 'new' ? initial : state;
}
