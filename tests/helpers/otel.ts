import { context, propagation, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createTelemetry, type AssistantTelemetry, type TelemetryOptions } from '../../src/otel/index.ts';

/** A telemetry bridge whose spans and metrics stay in memory, for one test. */
export interface MemoryTelemetry {
  telemetry: AssistantTelemetry;
  spans: InMemorySpanExporter;
  /** Every metric exported so far (collects first). */
  metrics(): Promise<ResourceMetrics[]>;
  close(): Promise<void>;
}

/**
 * The real SDK with in-memory exporters, and the global context manager and W3C propagator
 * a Node application registers (what carries a span into the requests made under it).
 * Restores the globals on `close()`.
 */
export function memoryTelemetry(options: Omit<TelemetryOptions, 'tracerProvider' | 'meterProvider'> = {}): MemoryTelemetry {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    telemetry: createTelemetry({ ...options, tracerProvider, meterProvider }),
    spans,
    async metrics() {
      await reader.forceFlush();
      return metricExporter.getMetrics();
    },
    async close() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
      context.disable();
      propagation.disable();
    },
  };
}

/** A finished span, as a test reads it: its name, kind, parent's name, attributes and event names. */
export interface SpanView {
  name: string;
  kind: number;
  parent: string | undefined;
  attributes: Attributes;
  events: string[];
  status: number;
  span: ReadableSpan;
}

/** The finished spans by id, each with its parent's name. */
export function viewSpans(spans: readonly ReadableSpan[]): SpanView[] {
  const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
  return spans.map((span) => ({
    name: span.name,
    kind: span.kind,
    parent: span.parentSpanContext === undefined ? undefined : (byId.get(span.parentSpanContext.spanId)?.name ?? '(remote)'),
    attributes: span.attributes,
    events: span.events.map((event) => event.name),
    status: span.status.code,
    span,
  }));
}

/** The spans whose name is `name`. */
export function named(views: readonly SpanView[], name: string): SpanView[] {
  return views.filter((view) => view.name === name);
}

/** The children of `parent` (by span id), in start order. */
export function childrenOf(views: readonly SpanView[], parent: SpanView): SpanView[] {
  const id = parent.span.spanContext().spanId;
  return views
    .filter((view) => view.span.parentSpanContext?.spanId === id)
    .sort((a, b) => a.span.startTime[0] - b.span.startTime[0] || a.span.startTime[1] - b.span.startTime[1]);
}
