import type { ResponseObject, Run } from '../wire/index.ts';
import { VALUE } from './semconv.ts';

/**
 * The `error.type` of a failure: an HTTP status as its number (`429`, `500`), a typed error of
 * this library by its `kind` (`idle-timeout`, `aborted`, `deadline-exceeded`, …), anything
 * else by its class name, `_OTHER` when nothing names it. Low-cardinality, never a message.
 *
 * @example `errorType(new AssistantStreamError('idle-timeout', '…')) // 'idle-timeout'`
 */
export function errorType(error: unknown): string {
  if (typeof error !== 'object' || error === null) return VALUE.otherError;
  const { status, kind, name } = error as { status?: unknown; kind?: unknown; name?: unknown };
  if (typeof status === 'number') return String(status);
  if (typeof kind === 'string' && kind !== '') return kind;
  if (typeof name === 'string' && name !== '') return name;
  return VALUE.otherError;
}

/**
 * The `error.type` of a run (or response) that ended without an answer: a `failed` run's
 * `last_error.code` (`server_error`, `rate_limit_exceeded`, …), `expired`; undefined for every
 * other status (a cancelled run was asked to stop; an incomplete one says why in its finish reason).
 *
 * @example `runErrorType({ status: 'failed', last_error: { code: 'rate_limit_exceeded', message } }) // 'rate_limit_exceeded'`
 */
export function runErrorType(run: Pick<Run, 'status' | 'last_error'> | Pick<ResponseObject, 'status' | 'error'>): string | undefined {
  if (run.status === 'expired') return 'expired';
  if (run.status !== 'failed') return undefined;
  const lastError = 'last_error' in run ? run.last_error : 'error' in run ? run.error : undefined;
  return lastError?.code ?? VALUE.otherError;
}

/**
 * `gen_ai.response.finish_reasons` of a run, in the vocabulary dashboards know: `stop` for a
 * completed run, `tool_calls` for one paused for tool outputs, `length` for one cut at a token
 * limit, `content_filter`; otherwise the run's status (`cancelled`, `failed`, `expired`).
 *
 * @example `finishReason({ status: 'requires_action' }) // 'tool_calls'`
 */
export function finishReason(run: { status?: string | null | undefined; incomplete_details?: { reason?: string | null | undefined } | null | undefined }): string {
  switch (run.status) {
    case 'completed':
      return 'stop';
    case 'requires_action':
      return 'tool_calls';
    case 'incomplete': {
      const reason = run.incomplete_details?.reason ?? '';
      return reason === 'content_filter' ? 'content_filter' : 'length';
    }
    default:
      return run.status ?? 'unknown';
  }
}
