import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { AssistantStream } from '../src/index.ts';
import { createTelemetry } from '../src/otel/index.ts';
import { CONTENDERS, type Contender } from './contenders.ts';

const request = (baseURL: string) =>
  fetch(`${baseURL}/threads/thread_1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench', 'openai-beta': 'assistants=v2' },
    body: JSON.stringify({ assistant_id: 'asst_1', stream: true }),
  });

// Exporters that take everything and send nothing: the cost measured is the bridge's and the
// SDK's (spans recorded, metrics aggregated), not a network's.
const dropSpans: SpanExporter = { export: (_spans: ReadableSpan[], done) => done({ code: 0 }), shutdown: async () => {} };
const dropMetrics: PushMetricExporter = { export: (_metrics, done) => done({ code: 0 }), forceFlush: async () => {}, shutdown: async () => {} };

// The providers an application creates once, at start: made when this module loads, so both
// contenders pay their set-up (cold SDK code, resource detection) before the measured stream.
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(dropSpans)] });
const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: dropMetrics, exportIntervalMillis: 3_600_000 })] });
const telemetry = createTelemetry({ tracerProvider, meterProvider });

/** The bench stream detached, and the same with the OTel bridge on (the real SDK, no-op exporters): `npm run bench` and `bench:otel`. */
export const OTEL_CONTENDERS: Record<'ours' | 'otel', Contender> = {
  /** Ours: `AssistantStream.fromSSE` with a textDelta listener (bench/contenders.ts's). */
  ours: CONTENDERS.ours,
  /** The same stream traced: spans recorded by the SDK, every GenAI metric (chunks timed) aggregated. */
  async otel(baseURL) {
    let chars = 0;
    const stream = telemetry.trace(() => AssistantStream.fromSSE(request(baseURL)), { agentName: 'bench' });
    stream.on('textDelta', (delta) => (chars += delta.value?.length ?? 0));
    await stream.done();
    return chars;
  },
};
