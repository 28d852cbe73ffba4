// `--otel [URL]`: OTLP/HTTP export of the bridge's spans and metrics. Everything OpenTelemetry
// is imported here, dynamically, only when the flag is given: the CLI (and the library) load and
// run without any OpenTelemetry package, and the SDK and exporters are the CLI's optional peers.
import type { AssistantTelemetry } from '../otel/index.ts';
import { UsageError, type OptionSpec } from './command.ts';
import type { CliIO } from './terminal.ts';

/** Where `--otel` without a URL sends: an OpenTelemetry Collector's (or Jaeger's) OTLP/HTTP port on this machine. */
export const DEFAULT_OTLP_ENDPOINT = 'http://127.0.0.1:4318';

/** The `--otel [URL]` option of `demo`, `run` and `serve`. */
export const OTEL_OPTION: OptionSpec = {
  type: 'string',
  value: 'URL',
  description: `export traces and metrics over OTLP/HTTP to URL (default ${DEFAULT_OTLP_ENDPOINT}; see docs/otel.md)`,
  optionalValue: (candidate) => /^https?:\/\//i.test(candidate),
};

/** The packages `--otel` loads, all optional peers of this package. */
export const OTEL_PACKAGES = [
  '@opentelemetry/api',
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/resources',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/exporter-metrics-otlp-http',
] as const;

/** `--otel` was given, but the OpenTelemetry packages it loads are not installed: the message says which to install. */
export class OtelPackagesMissingError extends Error {
  override readonly name = 'OtelPackagesMissingError';
  readonly kind = 'otel-packages-missing';
}

/** A command's telemetry: the bridge, a root span for the whole command, and the final flush. */
export interface CliTelemetry {
  telemetry: AssistantTelemetry;
  /** Where it exports. */
  endpoint: string;
  /** Runs `work` in a span named `name` (INTERNAL): one trace for everything the command does. */
  root<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** Exports what is left and stops the exporters. */
  shutdown(): Promise<void>;
}

/**
 * Starts what `--otel` asks for: undefined for no flag; `''` for the default endpoint; else
 * the URL given. Registers a Node tracer provider (AsyncLocalStorage context, W3C
 * `traceparent` propagation) and a meter provider, exporting over OTLP/HTTP (JSON) to
 * `{URL}/v1/traces` and `{URL}/v1/metrics`, as service `OTEL_SERVICE_NAME` (default
 * `assistant-machines`). A missing package is an {@link OtelPackagesMissingError} that says what to install.
 *
 * @example `const otel = await startOtel(optionalString(args, 'otel'), io.env);`
 */
export async function startOtel(value: string | undefined, env: CliIO['env']): Promise<CliTelemetry | undefined> {
  if (value === undefined) return undefined;
  const endpoint = (value === '' ? DEFAULT_OTLP_ENDPOINT : value).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/i.test(endpoint)) throw new UsageError(`--otel must be an http(s) URL, got ${JSON.stringify(value)}`);
  const [api, node, sdkMetrics, resources, traceExporter, metricExporter] = await loadPackages();
  const resource = resources.resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME'] || 'assistant-machines' });
  const tracerProvider = new node.NodeTracerProvider({
    resource,
    spanProcessors: [new node.BatchSpanProcessor(new traceExporter.OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))],
  });
  // The AsyncLocalStorage context manager and the W3C propagator: what carries a run's span to
  // the requests it makes (`traceparent`) and a request's span to the run it starts.
  tracerProvider.register();
  const meterProvider = new sdkMetrics.MeterProvider({
    resource,
    readers: [new sdkMetrics.PeriodicExportingMetricReader({ exporter: new metricExporter.OTLPMetricExporter({ url: `${endpoint}/v1/metrics` }), exportIntervalMillis: 10_000 })],
  });
  const { createTelemetry, INSTRUMENTATION_SCOPE } = await import('../otel/index.ts');
  const telemetry = createTelemetry({ tracerProvider, meterProvider });
  const tracer = tracerProvider.getTracer(INSTRUMENTATION_SCOPE);
  return {
    telemetry,
    endpoint,
    root: (name, work) =>
      tracer.startActiveSpan(name, { kind: api.SpanKind.INTERNAL }, async (span) => {
        try {
          return await work();
        } catch (error) {
          span.setStatus({ code: api.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
          throw error;
        } finally {
          span.end();
        }
      }),
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}

async function loadPackages() {
  try {
    return await Promise.all([
      import('@opentelemetry/api'),
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/sdk-metrics'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/exporter-metrics-otlp-http'),
    ]);
  } catch (error) {
    throw new OtelPackagesMissingError(
      `--otel needs the OpenTelemetry SDK and its OTLP/HTTP exporters, which are not installed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): npm install ${OTEL_PACKAGES.join(' ')}`,
    );
  }
}
