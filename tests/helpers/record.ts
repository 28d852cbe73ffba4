import { STREAM_LISTENER_NAMES } from '../../machines/callbacks.ts';
import type { AssistantStream, AssistantStreamEvents } from '../../src/index.ts';

/** Every listener event name, in a fixed order, for recording whole callback sequences. */
export const LISTENER_EVENTS: ReadonlyArray<keyof AssistantStreamEvents> = STREAM_LISTENER_NAMES;

/** Attaches a listener for every event and returns the log, as `name` or `name:summary`. */
export function recordCallbacks(stream: AssistantStream, summarize: (name: string, args: unknown[]) => string | undefined = defaultSummary): string[] {
  const log: string[] = [];
  for (const name of LISTENER_EVENTS) {
    stream.on(name, ((...args: unknown[]) => {
      const summary = summarize(name, args);
      log.push(summary === undefined ? name : `${name}:${summary}`);
    }) as never);
  }
  return log;
}

/** A short, readable summary of a callback's arguments. */
export function defaultSummary(name: string, args: unknown[]): string | undefined {
  const [first, second] = args as [Record<string, unknown>, Record<string, unknown>];
  switch (name) {
    case 'event':
      return String(first['event']);
    case 'textCreated':
    case 'textDone':
      return JSON.stringify(first['value']);
    case 'textDelta':
      return `${JSON.stringify(first['value'])}→${JSON.stringify(second['value'])}`;
    case 'toolCallCreated':
    case 'toolCallDone':
      return `${first['index']}`;
    case 'toolCallDelta':
      return `${first['index']}`;
    case 'run':
      return String(first['status']);
    case 'error':
    case 'abort':
      return String(first['kind']);
    case 'messageCreated':
    case 'messageDone':
    case 'runStepCreated':
    case 'runStepDone':
      return String(first['id']);
    default:
      return undefined;
  }
}
