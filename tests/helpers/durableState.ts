import type { TestServer } from './server.ts';

/** The ids a durability test created, to read back through the API. */
export interface CreatedIds {
  threads: string[];
  vectorStores: string[];
  fileBatches: Array<{ vectorStoreId: string; batchId: string }>;
}

/**
 * Everything the API answers about the state `ids` names, read through list and retrieve
 * calls: two servers hold the same state when this deep-equals.
 */
export async function readState(t: TestServer, ids: CreatedIds): Promise<Record<string, unknown>> {
  const get = async (path: string): Promise<unknown> => {
    const response = await t.request(path);
    const text = await response.text();
    return { status: response.status, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };
  const state: Record<string, unknown> = {};
  state['assistants'] = await get('/assistants?limit=100');
  state['files'] = await get('/files?limit=100');
  const files = (state['files'] as { body: { data: Array<{ id: string }> } }).body.data;
  for (const file of files) {
    state[`file ${file.id}`] = await get(`/files/${file.id}`);
    state[`file ${file.id} content`] = await get(`/files/${file.id}/content`);
  }
  state['vector stores'] = await get('/vector_stores?limit=100');
  for (const id of ids.vectorStores) {
    state[`vector store ${id}`] = await get(`/vector_stores/${id}`);
    state[`vector store ${id} files`] = await get(`/vector_stores/${id}/files?limit=100`);
  }
  for (const { vectorStoreId, batchId } of ids.fileBatches) {
    state[`batch ${batchId}`] = await get(`/vector_stores/${vectorStoreId}/file_batches/${batchId}`);
    state[`batch ${batchId} files`] = await get(`/vector_stores/${vectorStoreId}/file_batches/${batchId}/files`);
  }
  for (const id of ids.threads) {
    state[`thread ${id}`] = await get(`/threads/${id}`);
    state[`thread ${id} messages`] = await get(`/threads/${id}/messages?limit=100&order=asc`);
    const runs = (await get(`/threads/${id}/runs?limit=100`)) as { body: { data?: Array<{ id: string }> } };
    state[`thread ${id} runs`] = runs;
    for (const run of runs.body.data ?? []) {
      state[`run ${run.id}`] = await get(`/threads/${id}/runs/${run.id}`);
      // The events of a run still going follow it live: read those of finished runs.
      if (['queued', 'in_progress', 'cancelling'].includes((run as { status?: string }).status ?? '')) continue;
      state[`run ${run.id} steps`] = await get(`/threads/${id}/runs/${run.id}/steps?limit=100&include[]=step_details.tool_calls[*].file_search.results[*].content`);
      state[`run ${run.id} events`] = await get(`/threads/${id}/runs/${run.id}/events`);
      state[`run ${run.id} events after 3`] = await get(`/threads/${id}/runs/${run.id}/events?starting_after=3`);
    }
  }
  return state;
}

/** Creates a streamed run with raw fetch and reads its SSE frames until `deltas` message deltas came, then hangs up. */
export async function streamUntilDeltas(t: TestServer, threadId: string, body: Record<string, unknown>, deltas: number): Promise<{ frames: string; runId: string }> {
  const response = await t.request(`/threads/${threadId}/runs`, { method: 'POST', body: JSON.stringify({ ...body, stream: true }) });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while ((text.match(/^event: thread\.message\.delta$/gm) ?? []).length < deltas) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the stream ended before ${deltas} deltas: ${text}`);
    text += value;
  }
  await reader.cancel();
  const frames = text.slice(0, text.lastIndexOf('\n\n') + 2);
  const runId = /"id":"(run_\w+)"/.exec(frames)?.[1] ?? '';
  return { frames, runId };
}

