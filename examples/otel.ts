// A run traced with OpenTelemetry (assistant-machines/otel): the client's span, the server's spans
// continuing it through `traceparent`, printed as a tree. Swap the in-memory exporter for an OTLP
// one (`@opentelemetry/exporter-trace-otlp-http`) to see the same tree in Jaeger (docs/otel.md).
//
//   npx tsx examples/otel.ts
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { AssistantsClient } from 'assistant-machines';
import { createTelemetry } from 'assistant-machines/otel';
import { createServer } from 'assistant-machines/server';
import { printToStdout, runIfMain, type Print } from './support.ts';

/** Streams one run with tracing on and prints its span tree; resolves with the tree's lines. */
export async function main(_baseURL?: string, print: Print = printToStdout): Promise<string[]> {
  const spans = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  // The global provider, the AsyncLocalStorage context manager and the W3C propagator: what
  // carries the run's span into its requests.
  provider.register();
  try {
    const telemetry = createTelemetry();
    const server = await createServer({ telemetry: telemetry.server, pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
    try {
      const client = new AssistantsClient({ baseURL: server.url, apiKey: 'local', fetch: telemetry.fetch() });
      const assistant = await client.beta.assistants.create({ model: 'scripted', name: 'Calculator', tools: [{ type: 'code_interpreter' }] });
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'What is 2**10 + 3*7?' }] });
      // Started inside the run's span: the request carries it, the server's spans are its children.
      const stream = telemetry.trace(() => client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }), { agentName: assistant.name ?? undefined });
      await stream.done();
    } finally {
      await server.close();
    }
    const lines = tree(spans.getFinishedSpans());
    print(`${lines.join('\n')}\n`);
    return lines;
  } finally {
    // An application keeps its provider for its lifetime; the example puts everything back.
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  }
}

const KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

// The spans of the run's trace, each under its parent, in start order.
function tree(spans: ReadableSpan[]): string[] {
  const started = [...spans].sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
  const lines: string[] = [];
  const visit = (parentId: string | undefined, depth: number) => {
    for (const span of started.filter((candidate) => candidate.parentSpanContext?.spanId === parentId)) {
      lines.push(`${'  '.repeat(depth)}${span.name} (${KINDS[span.kind]})`);
      visit(span.spanContext().spanId, depth + 1);
    }
  };
  const run = started.find((span) => span.name.startsWith('invoke_agent') && span.parentSpanContext === undefined);
  if (run !== undefined) {
    lines.push(`${run.name} (${KINDS[run.kind]})`);
    visit(run.spanContext().spanId, 1);
  }
  return lines;
}

runIfMain(import.meta.url, main);
