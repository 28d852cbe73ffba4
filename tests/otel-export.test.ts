// A real OTLP/HTTP export, end to end, to a receiver of this test's own on loopback, decoding what
// the official exporters send: an application's traced stream, the CLI's `serve --otel` (another
// process) with a live model behind it, and that model API (an embedded server of this process),
// all in one trace joined by `traceparent` — and no byte of any export holds either API key.
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient } from '../src/index.ts';
import { createTelemetry, type AssistantTelemetry } from '../src/otel/index.ts';
import { createServer } from '../src/server/index.ts';
import { spawnCli, type ProcessResult } from './helpers/cli.ts';
import { json, startLoopback, within, type Loopback } from './helpers/loopback.ts';

const SERVER_KEY = 'sk-server-0e4b1c9d7f2a4e6b8c1d3f5a7b9c2e4d';
const MODEL_KEY = 'sk-model-6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e';

/** A service exporting over OTLP/HTTP with the official exporters, as an application sets one up. */
interface Exporting {
  telemetry: AssistantTelemetry;
  shutdown(): Promise<void>;
}

function exporting(endpoint: string, serviceName: string): Exporting {
  const resource = resourceFromAttributes({ 'service.name': serviceName });
  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))] });
  const meterProvider = new MeterProvider({
    resource,
    readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` }), exportIntervalMillis: 3_600_000 })],
  });
  return {
    telemetry: createTelemetry({ tracerProvider, meterProvider }),
    shutdown: async () => {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}

/** One span as OTLP/JSON carries it, with its service. */
interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

// OTLP's span kinds (not the API's enum): 1 internal, 2 server, 3 client.
const KIND = { internal: 1, server: 2, client: 3 } as const;

function decodeSpans(bodies: string[]): ExportedSpan[] {
  const value = (any: Record<string, unknown>) => any['stringValue'] ?? any['intValue'] ?? any['boolValue'] ?? any['doubleValue'] ?? any['arrayValue'];
  const attributesOf = (list: Array<{ key: string; value: Record<string, unknown> }> = []) => Object.fromEntries(list.map(({ key, value: v }) => [key, value(v)]));
  return bodies.flatMap((body) =>
    (JSON.parse(body) as { resourceSpans: Array<{ resource: { attributes: [] }; scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> }).resourceSpans.flatMap((resourceSpans) => {
      const service = String(attributesOf(resourceSpans.resource.attributes)['service.name']);
      return resourceSpans.scopeSpans.flatMap((scope) =>
        scope.spans.map((span) => ({
          service,
          traceId: String(span['traceId']),
          spanId: String(span['spanId']),
          parentSpanId: String(span['parentSpanId'] ?? ''),
          name: String(span['name']),
          kind: Number(span['kind']),
          attributes: attributesOf(span['attributes'] as Array<{ key: string; value: Record<string, unknown> }>),
        })),
      );
    }),
  );
}

const test = suite<{ receiver: Loopback }>('otel: OTLP/HTTP export');

test.before(async (context) => {
  context.receiver = await startLoopback((_request, response) => json(response, 200, {}));
});
test.after(async ({ receiver }) => {
  await receiver.close();
});

test("the application's, the server's and the model API's spans arrive in one trace, and no exported byte holds a key", async ({ receiver }) => {
  const endpoint = receiver.url.replace(/\/v1$/, '');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const app = exporting(endpoint, 'application');
  const model = exporting(endpoint, 'model-api');
  const modelServer = await createServer({ apiKey: MODEL_KEY, pace: { deltaDelayMs: 0, stepDelayMs: 0 }, telemetry: model.telemetry.server });
  let serve: Promise<ProcessResult> | undefined;
  let stopServe = () => {};
  // `demo --otel` meanwhile, in a process of its own: one trace under its root span.
  const demoDir = await mkdtemp(join(tmpdir(), 'assistant-machines-otel-demo-'));
  const demo = spawnCli(['demo', '--fast', '--out', demoDir, '--otel', endpoint], { OTEL_SERVICE_NAME: 'demo' });
  let cliRun: ProcessResult | undefined;
  try {
    // The CLI's server, another process: its live model is the embedded server above.
    let listening!: (url: string) => void;
    const url = new Promise<string>((resolve) => (listening = resolve));
    serve = spawnCli(
      ['serve', '--fast', '--otel', endpoint, '--api-key-env', 'SERVER_KEY', '--model-base-url', modelServer.url, '--model-api-key-env', 'MODEL_KEY'],
      { SERVER_KEY, MODEL_KEY, OTEL_SERVICE_NAME: 'assistant-server' },
      (stdout, child) => {
        const found = /listening on (http:\S+)/.exec(stdout)?.[1];
        if (found === undefined) return;
        stopServe = () => child.kill('SIGTERM');
        listening(found);
      },
    );
    const baseURL = await within(url, 30_000, 'serve --otel to listen');
    const client = new AssistantsClient({ baseURL, apiKey: SERVER_KEY, fetch: app.telemetry.fetch(), maxRetries: 0 });
    const assistant = await client.beta.assistants.create({ model: 'gpt-live', name: 'Relay' });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Say hello' }] });
    const stream = app.telemetry.trace(() => client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }), { agentName: 'Relay', baseURL });
    const run = await within(stream.finalRun(), 30_000, 'the run');
    assert.is(run.status, 'completed', JSON.stringify(run.last_error));
    // `run --otel`, another process, against the same server: its run joins the server's spans too.
    cliRun = await spawnCli(['run', '--otel', endpoint, '--base-url', baseURL, '--assistant', assistant.id, 'Say hello'], { OPENAI_API_KEY: SERVER_KEY, OTEL_SERVICE_NAME: 'cli-run' });
  } finally {
    // SIGTERM: the server drains, then `--otel` flushes its exporters before the process exits.
    stopServe();
    const served = await serve;
    assert.is(served?.code, 0, served?.stderr);
    await app.shutdown();
    await model.shutdown();
    await modelServer.close();
    context.disable();
    propagation.disable();
    const demoDone = await demo;
    assert.is(demoDone.code, 0, demoDone.stderr);
    await rm(demoDir, { recursive: true, force: true });
  }
  assert.is(cliRun?.code, 0, cliRun?.stderr);

  // Every byte the exporters sent: plain JSON (no compression hides a key from this check).
  const exports = receiver.requests;
  assert.ok(exports.some((request) => request.url === '/v1/metrics'), 'metrics were exported too');
  for (const request of exports) {
    assert.is(request.headers['content-type'], 'application/json');
    assert.is(request.headers['content-encoding'] ?? 'identity', 'identity');
    assert.not.ok(request.body.includes(SERVER_KEY), `the server's key in ${request.url}`);
    assert.not.ok(request.body.includes(MODEL_KEY), `the model API's key in ${request.url}`);
    assert.not.ok(JSON.stringify(request.headers).includes(SERVER_KEY) || JSON.stringify(request.headers).includes(MODEL_KEY), 'a key in the export request headers');
  }

  const spans = decodeSpans(exports.filter((request) => request.url === '/v1/traces').map((request) => request.body));
  const agent = spans.find((span) => span.service === 'application' && span.name === 'invoke_agent Relay');
  assert.ok(agent, 'the application\'s run span');
  assert.is(agent!.kind, KIND.client);
  const trace = spans.filter((span) => span.traceId === agent!.traceId);
  const parentOf = (span: ExportedSpan) => trace.find((candidate) => candidate.spanId === span.parentSpanId);
  const find = (service: string, name: string) => trace.find((span) => span.service === service && span.name === name);

  const request = find('assistant-server', 'POST /v1/threads/{thread_id}/runs');
  assert.ok(request, 'the server continued the trace');
  assert.is(request!.kind, KIND.server);
  assert.is(parentOf(request!), agent, 'its parent is the span of the stream that sent it');
  const execution = find('assistant-server', 'invoke_agent');
  assert.is(parentOf(execution!), request);
  const upstream = trace.find((span) => span.service === 'assistant-server' && span.kind === KIND.client);
  assert.is(upstream?.name, 'chat gpt-live', 'a span per call to the model API');
  assert.is(parentOf(upstream!), execution);
  assert.is(upstream!.attributes['gen_ai.request.model'], 'gpt-live');
  assert.match(String(upstream!.attributes['gen_ai.response.id']), /^resp_/);
  assert.ok(Number(upstream!.attributes['gen_ai.usage.output_tokens']) > 0, 'the usage the model API reported');
  const modelRequest = find('model-api', 'POST /v1/responses');
  assert.ok(modelRequest, 'the model API continued the trace too');
  assert.is(parentOf(modelRequest!), upstream);
  assert.equal([...new Set(trace.map((span) => span.service))].sort(), ['application', 'assistant-server', 'model-api']);

  // `run --otel`: its root span, its run's span under it, the server's request under that.
  const cliRoot = spans.find((span) => span.service === 'cli-run' && span.name === 'assistant-machines run');
  assert.ok(cliRoot, 'the run command\'s root span');
  const cliAgent = spans.find((span) => span.service === 'cli-run' && span.kind === KIND.client && span.traceId === cliRoot!.traceId);
  assert.is(cliAgent?.parentSpanId, cliRoot!.spanId);
  assert.ok(
    spans.some((span) => span.service === 'assistant-server' && span.name === 'POST /v1/threads/runs' && span.parentSpanId === cliAgent!.spanId),
    'the server continued the CLI\'s trace (createAndRunStream)',
  );

  // `demo --otel`: everything it did is one trace under its root span.
  const demoSpans = spans.filter((span) => span.service === 'demo');
  const demoRoot = demoSpans.find((span) => span.name === 'assistant-machines demo');
  assert.ok(demoRoot, 'the demo\'s root span');
  assert.equal(demoSpans.filter((span) => span.traceId !== demoRoot!.traceId).map((span) => span.name), [], 'every span of the demo in its trace');
  for (const name of ['invoke_agent Travel helper', 'execute_tool get_weather', 'POST /v1/threads/{thread_id}/runs', 'execute_tool code_interpreter', 'chat scripted']) {
    assert.ok(demoSpans.some((span) => span.name === name), name);
  }
});

test.run();
