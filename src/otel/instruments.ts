import { createNoopMeter, ValueType, type Histogram, type Meter } from '@opentelemetry/api';
import { METRIC } from './semconv.ts';

/** The GenAI client metrics, as histograms with the bucket boundaries the conventions advise. */
export interface GenAIInstruments {
  /** `gen_ai.client.operation.duration` (s): one per traced run, stream, poll or tool. */
  readonly operationDuration: Histogram;
  /** `gen_ai.client.token.usage` ({token}): input and output tokens of a run that reports usage. */
  readonly tokenUsage: Histogram;
  /** `gen_ai.client.operation.time_to_first_chunk` (s): streams only. */
  readonly timeToFirstChunk: Histogram;
  /** `gen_ai.client.operation.time_per_output_chunk` (s): streams only, every output chunk after the first. */
  readonly timePerOutputChunk: Histogram;
  /** False when the meter is the API's no-op one (no provider given or registered): nothing per chunk is timed. */
  readonly live: boolean;
}

const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const FIRST_CHUNK_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];
const PER_CHUNK_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];

/**
 * The four GenAI client histograms on `meter`.
 *
 * @example `const instruments = createInstruments(metrics.getMeter('assistant-machines'));`
 */
export function createInstruments(meter: Meter): GenAIInstruments {
  const histogram = (name: string, unit: string, description: string, buckets: number[], valueType = ValueType.DOUBLE) =>
    meter.createHistogram(name, { unit, description, valueType, advice: { explicitBucketBoundaries: buckets } });
  return {
    operationDuration: histogram(METRIC.operationDuration, 's', 'GenAI operation duration.', DURATION_BUCKETS),
    tokenUsage: histogram(METRIC.tokenUsage, '{token}', 'Number of input and output tokens used.', TOKEN_BUCKETS, ValueType.INT),
    timeToFirstChunk: histogram(
      METRIC.timeToFirstChunk,
      's',
      'Time to receive the first chunk, from when the client issues the request to when the first output chunk is received in the response stream.',
      FIRST_CHUNK_BUCKETS,
    ),
    timePerOutputChunk: histogram(
      METRIC.timePerOutputChunk,
      's',
      'Time per output chunk, recorded for each chunk received after the first one, from the end of the previous chunk to the end of the current chunk.',
      PER_CHUNK_BUCKETS,
    ),
    live: meter !== createNoopMeter(),
  };
}
