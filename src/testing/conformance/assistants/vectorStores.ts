import type { ConformanceCheck } from '../check.ts';
import { call, describe, expect, isRecord, NotOffered, ok, pollUntil, createOrNotOffered } from '../http.ts';

const HANDBOOK = [
  '# Travel handbook',
  '',
  'Refunds are paid within 14 days of a return.',
  'Hotels must be booked through the travel desk.',
  'Taxis are reimbursed up to 40 euros per trip.',
  '',
].join('\n');

export const vectorStores: ConformanceCheck = {
  id: 'vector-stores',
  protocol: 'assistants',
  title: 'vector stores: upload a file, index it, file_counts and status completed',
  async run(ctx, shared) {
    shared.vectorStore = 'failed';
    const form = new FormData();
    form.append('purpose', 'assistants');
    form.append('file', new Blob([HANDBOOK], { type: 'text/markdown' }), 'handbook.md');
    const upload = await call(ctx, 'POST', '/files', form);
    if (upload.status === 404 || upload.status === 405) {
      shared.vectorStore = 'not offered';
      throw new NotOffered(`files: POST /files answered ${upload.status}`);
    }
    expect(upload.status === 200 && isRecord(upload.body) && typeof upload.body['id'] === 'string', `POST /files answered ${upload.status}: ${describe(upload.body)}`);
    const fileId = upload.body['id'] as string;
    let store: Record<string, unknown>;
    try {
      store = await createOrNotOffered(ctx, '/vector_stores', { name: 'conformance', file_ids: [fileId] }, 'vector stores');
    } catch (error) {
      if (error instanceof NotOffered) shared.vectorStore = 'not offered';
      throw error;
    }
    const storeId = String(store['id']);
    const end = await pollUntil(ctx, `/vector_stores/${storeId}`, (body) => body['status'] !== 'in_progress');
    expect(end.body['status'] === 'completed', `the vector store ended ${String(end.body['status'])}, not completed`);
    const counts = end.body['file_counts'] as Record<string, unknown> | undefined;
    expect(isRecord(counts) && counts['completed'] === 1 && counts['total'] === 1, `file_counts is ${describe(counts)}, not one completed of one`);
    const file = await ok(ctx, 'GET', `/vector_stores/${storeId}/files/${fileId}`);
    expect(file['status'] === 'completed', `the vector store file is ${String(file['status'])}`);
    shared.vectorStore = { id: storeId, fileId };
  },
};
