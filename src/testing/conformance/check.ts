import type { ReadStream } from './sse.ts';
import type { CheckContext } from './http.ts';

/** The two protocols the suite checks. */
export type ConformanceProtocol = 'assistants' | 'responses';

/** The protocols, in the order their checks run. */
export const CONFORMANCE_PROTOCOLS: readonly ConformanceProtocol[] = ['assistants', 'responses'];

/** One check of the conformance suite. */
export interface ConformanceCheck {
  /** Stable id, as the table and the reports name it: `pagination`. */
  id: string;
  protocol: ConformanceProtocol;
  /** What it checks, one line. */
  title: string;
  /** Runs only with `faults`: it cuts connections through the suite's fault proxy. */
  faults?: boolean;
  run(ctx: CheckContext, shared: SharedState): Promise<void>;
}

/** What later checks reuse from earlier ones (a processed vector store for file search). */
export interface SharedState {
  vectorStore?: { id: string; fileId: string } | 'not offered' | 'failed';
  /** One streamed answer to a plain question, read whole: the stream checks each examine it. */
  plainStream?: Promise<ReadStream>;
}
