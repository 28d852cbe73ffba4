import { toFile } from 'openai';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { z } from 'zod';
import { MessageSchema, RunSchema, RunStepSchema, ThreadSchema } from '../src/index.ts';
import { functionTool, startTestServer, type TestServer } from './helpers/server.ts';

// Every object the server returns passes our own wire schemas where one exists, and carries
// every field the spec (openai-openapi.yaml, components.schemas) lists as required.
const REQUIRED: Record<string, string[]> = {
  assistant: ['id', 'object', 'created_at', 'name', 'description', 'model', 'instructions', 'tools', 'metadata'],
  thread: ['id', 'object', 'created_at', 'tool_resources', 'metadata'],
  'thread.message': ['id', 'object', 'created_at', 'thread_id', 'status', 'incomplete_details', 'completed_at', 'incomplete_at', 'role', 'content', 'assistant_id', 'run_id', 'attachments', 'metadata'],
  'thread.run': [
    'id', 'object', 'created_at', 'thread_id', 'assistant_id', 'status', 'required_action', 'last_error', 'expires_at', 'started_at', 'cancelled_at',
    'failed_at', 'completed_at', 'incomplete_details', 'model', 'instructions', 'tools', 'metadata', 'usage', 'max_prompt_tokens',
    'max_completion_tokens', 'truncation_strategy', 'tool_choice', 'parallel_tool_calls', 'response_format',
  ],
  'thread.run.step': ['id', 'object', 'created_at', 'assistant_id', 'thread_id', 'run_id', 'type', 'status', 'step_details', 'last_error', 'expired_at', 'cancelled_at', 'failed_at', 'completed_at', 'metadata', 'usage'],
  file: ['id', 'object', 'bytes', 'created_at', 'filename', 'purpose', 'status'],
  vector_store: ['id', 'object', 'usage_bytes', 'created_at', 'status', 'last_active_at', 'name', 'file_counts', 'metadata'],
  'vector_store.file': ['id', 'object', 'usage_bytes', 'created_at', 'vector_store_id', 'status', 'last_error'],
  'vector_store.files_batch': ['id', 'object', 'created_at', 'vector_store_id', 'status', 'file_counts'],
};
const SCHEMAS: Record<string, z.ZodType> = { thread: ThreadSchema, 'thread.message': MessageSchema, 'thread.run': RunSchema, 'thread.run.step': RunStepSchema };

const test = suite<{ t: TestServer }>('schemas');
test.before(async (context) => {
  context.t = await startTestServer();
});
test.after(async ({ t }) => t.close());

function check(object: unknown): string[] {
  const record = object as Record<string, unknown>;
  const kind = String(record['object']);
  const problems: string[] = [];
  const required = REQUIRED[kind];
  if (required === undefined) return [`no required-field list for ${kind}`];
  for (const field of required) if (!(field in record)) problems.push(`${kind} ${String(record['id'])} lacks ${field}`);
  for (const field of ['created_at', 'started_at', 'completed_at', 'failed_at', 'cancelled_at', 'expires_at', 'expired_at', 'incomplete_at', 'last_active_at']) {
    const value = record[field];
    if (value !== null && value !== undefined && !(Number.isInteger(value) && Math.abs((value as number) - Date.now() / 1000) < 3600)) {
      problems.push(`${kind}.${field} is not a current Unix time in seconds: ${String(value)}`);
    }
  }
  const parsed = SCHEMAS[kind]?.safeParse(object);
  if (parsed !== undefined && !parsed.success) problems.push(`${kind} fails its schema: ${parsed.error.issues[0]?.message} at ${parsed.error.issues[0]?.path.join('.')}`);
  return problems;
}

test('every object of a full session passes the schemas and has every required field', async ({ t }) => {
  const { openai } = t;
  const seen: unknown[] = [];
  const keep = <Value>(value: Value): Value => {
    seen.push(value);
    return value;
  };
  const file = keep(await openai.files.create({ file: await toFile(Buffer.from('The vault code is 1234.'), 'secrets.txt'), purpose: 'assistants' }));
  const store = keep(await openai.vectorStores.create({ name: 'vault', file_ids: [file.id] }));
  keep(await openai.vectorStores.files.poll(store.id, file.id, { pollIntervalMs: 2 }));
  const batch = keep(await openai.vectorStores.fileBatches.createAndPoll(store.id, { file_ids: [file.id] }, { pollIntervalMs: 2 }));
  keep(await openai.vectorStores.retrieve(store.id));
  const assistant = keep(
    await openai.beta.assistants.create({
      model: 'scripted',
      tools: [functionTool('get_weather', 'city'), { type: 'code_interpreter' }, { type: 'file_search' }],
      tool_resources: { file_search: { vector_store_ids: [store.id] } },
    }),
  );
  const questions = ['weather in Paris', 'what is 6*7?', 'what is the vault code?', 'hello'];
  for (const question of questions) {
    const thread = keep(await openai.beta.threads.create({ messages: [{ role: 'user', content: question }] }));
    let run = keep(await openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }));
    if (run.status === 'requires_action') {
      const outputs = run.required_action!.submit_tool_outputs.tool_calls.map((call) => ({ tool_call_id: call.id, output: 'sunny' }));
      run = keep(await openai.beta.threads.runs.submitToolOutputsAndPoll(run.id, { thread_id: thread.id, tool_outputs: outputs }));
    }
    assert.is(run.status, 'completed', question);
    for (const message of (await openai.beta.threads.messages.list(thread.id)).data) seen.push(message);
    for (const step of (await openai.beta.threads.runs.steps.list(run.id, { thread_id: thread.id })).data) seen.push(step);
    // The streamed objects too.
    const stream = openai.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    stream.on('event', ({ event, data }) => {
      if (!event.endsWith('.delta')) seen.push(data);
    });
    await stream.finalRun();
    if (stream.currentRun()?.status === 'requires_action') {
      const paused = stream.currentRun()!;
      await openai.beta.threads.runs.cancel(paused.id, { thread_id: thread.id });
      keep(await openai.beta.threads.runs.poll(paused.id, { thread_id: thread.id }));
    }
  }
  keep(await openai.vectorStores.fileBatches.retrieve(batch.id, { vector_store_id: store.id }));
  const kinds = new Set(seen.map((object) => (object as { object: string }).object));
  assert.equal([...kinds].sort(), Object.keys(REQUIRED).sort(), 'every kind of object was checked');
  assert.equal(seen.flatMap(check), []);
});

test.run();
