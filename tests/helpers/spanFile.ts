// Spans to a file, one JSON line each as it ends (synchronously): what a worker process had
// exported before it was SIGKILLed, for the Restate suite to read after.
import { appendFileSync } from 'node:fs';
import { context, propagation, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, W3CTraceContextPropagator, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createTelemetry, type AssistantTelemetry } from '../../src/otel/index.ts';

/** A span as the file holds it. */
export interface FileSpan {
  worker: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  attributes: Attributes;
  events: Array<{ name: string; attributes: Attributes | undefined }>;
  status: number;
}

/**
 * `createTelemetry()` on the real SDK, every span appended to `file` as it ends (without a file:
 * recorded, then dropped — the bench's cost of tracing), with the context manager and W3C
 * propagator a Node application registers.
 */
export function fileTelemetry(file: string | undefined, worker: string): AssistantTelemetry {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const exporter: SpanExporter = {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      if (file === undefined) return done({ code: ExportResultCode.SUCCESS });
      const lines = spans.map((span): FileSpan => ({
        worker,
        name: span.name,
        kind: span.kind,
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        parentSpanId: span.parentSpanContext?.spanId,
        attributes: span.attributes,
        events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
        status: span.status.code,
      }));
      appendFileSync(file, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => undefined,
  };
  return createTelemetry({ tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }) });
}
