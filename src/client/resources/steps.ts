import type { PagePromise } from '../pagination.ts';
import { path, type RequestOptions } from '../request.ts';
import type { RunStep, StepListParams, StepRetrieveParams } from '../types.ts';
import { APIResource } from './resource.ts';

/** `client.beta.threads.runs.steps`. */
export class Steps extends APIResource {
  /**
   * Retrieves a run step.
   *
   * @example `await client.beta.threads.runs.steps.retrieve(stepId, { thread_id: threadId, run_id: runId });`
   */
  async retrieve(stepId: string, params: StepRetrieveParams, options?: RequestOptions): Promise<RunStep> {
    const { thread_id, run_id, include } = params;
    return this._client.request({ method: 'GET', path: path`/threads/${thread_id}/runs/${run_id}/steps/${stepId}`, query: { include } }, options);
  }

  /**
   * Lists a run's steps.
   *
   * @example `for await (const step of client.beta.threads.runs.steps.list(runId, { thread_id: threadId })) console.log(step.type);`
   */
  list(runId: string, params: StepListParams, options?: RequestOptions): PagePromise<RunStep> {
    const { thread_id, ...query } = params;
    return this._client.requestList(() => ({ method: 'GET', path: path`/threads/${thread_id}/runs/${runId}/steps`, query }), options);
  }
}
