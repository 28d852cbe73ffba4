import { type ChartReading, readThroughCharts } from '../charts.ts';
import { type CheckContext, createOrNotOffered, describe, expect, isRecord, ok } from '../http.ts';
import { pollThroughCharts } from '../poll.ts';
import { type ReadStreamOptions, readEventStream, toSSE } from '../sse.ts';

/** The statuses a run ends in. */
export const TERMINAL_RUN_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled', 'expired', 'incomplete']);

/** A function tool in the Assistants shape, and the `tool_choice` that forces it. */
export const WEATHER_FUNCTION = {
  type: 'function',
  function: { name: 'get_weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
export const FORCE_WEATHER_FUNCTION = { type: 'function', function: { name: 'get_weather' } };

/** Creates a thread with one user message; its id. */
export async function thread(ctx: CheckContext, content: string): Promise<string> {
  const created = await ok(ctx, 'POST', '/threads', { messages: [{ role: 'user', content }] });
  expect(typeof created['id'] === 'string', 'POST /threads answered no thread id');
  return created['id'] as string;
}

/** Creates an assistant with the check's model; a 4xx means `what` is not offered. */
export async function assistant(ctx: CheckContext, body: Record<string, unknown>, what: string): Promise<string> {
  const created = await createOrNotOffered(ctx, '/assistants', { model: ctx.model, ...body }, what);
  expect(typeof created['id'] === 'string', 'POST /assistants answered no assistant id');
  return created['id'] as string;
}

/** Creates a run (not streamed) and keeps it for `runs-reach-terminal`. */
export async function createRun(ctx: CheckContext, threadId: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const run = await ok(ctx, 'POST', `/threads/${threadId}/runs`, body);
  expect(typeof run['id'] === 'string', `POST /threads/${threadId}/runs answered ${describe(run)}`);
  ctx.started.runs.push({ threadId, runId: run['id'] });
  return run;
}

/** A run paused for a tool call: its request, where to poll it, and the run at `requires_action` with the call ids it requires. */
export interface PausedRun {
  run: Record<string, unknown>;
  target: { resource: 'run'; threadId: string; runId: string };
  paused: Record<string, unknown>;
  callIds: string[];
}

/**
 * Asks for the weather with `get_weather` forced, and polls the run (through the charts) until it
 * pauses for the call: what the tool-output checks start from.
 */
export async function pausedWeatherRun(ctx: CheckContext): Promise<PausedRun> {
  const assistantId = await assistant(ctx, { tools: [WEATHER_FUNCTION] }, 'function tools');
  const threadId = await thread(ctx, "What's the weather in Paris? Use get_weather.");
  const run = await createRun(ctx, threadId, { assistant_id: assistantId, tool_choice: FORCE_WEATHER_FUNCTION });
  const target = { resource: 'run', threadId, runId: String(run['id']) } as const;
  const paused = await pollThroughCharts(ctx, target);
  expect(paused['status'] === 'requires_action', `the run stopped at ${String(paused['status'])}, not requires_action`);
  const calls = (paused['required_action'] as { submit_tool_outputs?: { tool_calls?: Array<{ id: string }> } } | null)?.submit_tool_outputs?.tool_calls ?? [];
  return { run, target, paused, callIds: calls.map((call) => call.id) };
}

/** An error answer must be `{error: {message, type, param, code}}` with a string message and type. */
export function expectEnvelope(body: unknown, request: string): void {
  expect(isRecord(body) && isRecord(body['error']), `${request}: the error body is not {error: {…}}: ${describe(body)}`);
  const error = body['error'] as Record<string, unknown>;
  expect(typeof error['message'] === 'string' && error['message'] !== '', `${request}: error.message is not a non-empty string`);
  expect(typeof error['type'] === 'string', `${request}: error.type is not a string`);
  for (const key of ['param', 'code']) expect(key in error, `${request}: error.${key} is missing (null when not applicable)`);
}

/**
 * POSTs `body` with `stream: true` to `path`, reads the whole event stream and replays it through
 * the charts in strict mode (see `readThroughCharts`); the run it names is kept for
 * `runs-reach-terminal`.
 *
 * @example `const { run } = await streamRun(ctx, `/threads/${threadId}/runs`, { assistant_id });`
 */
export async function streamRun(ctx: CheckContext, path: string, body: Record<string, unknown>, options: ReadStreamOptions = {}): Promise<ChartReading> {
  const read = await readEventStream(ctx, 'POST', path, { ...body, stream: true }, options);
  const created = read.events.find((event) => event.event === 'thread.run.created')?.data;
  if (created !== undefined && typeof created['id'] === 'string' && typeof created['thread_id'] === 'string') {
    ctx.started.runs.push({ threadId: created['thread_id'], runId: created['id'] });
  }
  expect(read.end === 'ended', `the stream broke after ${read.events.length} events: ${String(read.error)}`);
  return readThroughCharts(ctx, toSSE(read.events), { protocol: 'assistants' });
}
