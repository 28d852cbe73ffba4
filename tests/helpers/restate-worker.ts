// A worker process of the Restate suite: serves the thread object (and the draft-review workflow)
// on 127.0.0.1, prints `listening <port>`, and records what it did in a file that outlives it:
// `tool <call id> <its idempotency key> <worker>` per tool execution, `run <key> <worker>` per run it started reading.
// KILL_AT_EVENT=n SIGKILLs the process when it has read the n-th stream event (of every run it
// serves); TOOL_DELAY_MS slows the tools down.
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createEndpointHandler } from '@restatedev/restate-sdk';
import { AssistantsClient, type ToolContext } from '../../src/index.ts';
import { createAssistantThreadObject } from '../../src/restate/index.ts';
import { createDraftReviewService } from '../../examples/restate/draft-review.ts';
import { fileTelemetry } from './spanFile.ts';

const env = process.env;
const worker = env['WORKER_NAME'] ?? String(process.pid);
const record = (line: string) => {
  if (env['RECORD_FILE']) appendFileSync(env['RECORD_FILE'], `${line} ${worker}\n`);
};
const killAt = Number(env['KILL_AT_EVENT'] ?? 0);
const toolDelayMs = Number(env['TOOL_DELAY_MS'] ?? 0);
const killAfterTools = env['KILL_AFTER_TOOLS'] === '1';
let events = 0;
let toolsRan = 0;
const seen = new Set<string>();
const telemetry = env['SPANS_FILE'] ? fileTelemetry(env['SPANS_FILE'], worker) : env['SPANS'] === 'drop' ? fileTelemetry(undefined, worker) : undefined;

const client = new AssistantsClient({ baseURL: env['AM_BASE_URL']!, apiKey: 'test', maxRetries: 2, ...(telemetry === undefined ? {} : { fetch: telemetry.fetch() }) });
const slow = () => new Promise((done) => setTimeout(done, toolDelayMs));
const tools = {
  get_weather: async ({ city }: { city: string }, { toolCall, idempotencyKey }: ToolContext) => {
    record(`tool ${toolCall.id} ${idempotencyKey}`);
    toolsRan++;
    if (toolDelayMs > 0) await slow();
    return { city, temp: '22C' };
  },
  get_time: async (_args: unknown, { toolCall, idempotencyKey }: ToolContext) => {
    record(`tool ${toolCall.id} ${idempotencyKey}`);
    toolsRan++;
    if (toolDelayMs > 0) await slow();
    return '14:00';
  },
};
const responsesTools = ['get_weather', 'get_time'].map((name) => ({
  type: 'function' as const,
  name,
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
}));

const onEvent = (_event: unknown, key: string) => {
  if (!seen.has(key)) {
    seen.add(key);
    record(`run ${key}`);
  }
  events++;
  if (killAt > 0 && events === killAt) process.kill(process.pid, 'SIGKILL');
  if (killAfterTools && toolsRan >= 2) process.kill(process.pid, 'SIGKILL');
};
const services = [
  createAssistantThreadObject({ client, tools, onEvent, ...(telemetry === undefined ? {} : { telemetry, agentName: 'Weather' }) }),
  createAssistantThreadObject({ name: 'assistantConversation', client, tools, onEvent, responses: { assistants: () => ({ model: 'scripted', tools: responsesTools }) } }),
  createAssistantThreadObject({
    name: 'assistantChain',
    client,
    tools,
    onEvent,
    responses: { assistants: () => ({ model: 'scripted', tools: responsesTools }), history: 'previous_response_id' },
  }),
  createAssistantThreadObject({ name: 'assistantThreadWithoutTools', client, onEvent }),
  ...createDraftReviewService({ client }),
];
const server = createServer(createEndpointHandler({ services }));
server.listen(Number(env['PORT'] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
