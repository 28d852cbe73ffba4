import type { ConformanceCheck } from '../check.ts';
import { CheckFailure, expect, NotOffered } from '../http.ts';
import { thread, assistant, streamRun } from './api.ts';

export const fileSearch: ConformanceCheck = {
  id: 'file-search',
  protocol: 'assistants',
  title: 'file search: the answer cites the file (file_citation annotation)',
  async run(ctx, shared) {
    if (shared.vectorStore === 'not offered' || shared.vectorStore === undefined) throw new NotOffered('file search needs vector stores, not offered');
    if (shared.vectorStore === 'failed') throw new CheckFailure('needs a processed vector store, and the vector-stores check failed');
    const { id, fileId } = shared.vectorStore;
    const assistantId = await assistant(ctx, { tools: [{ type: 'file_search' }], tool_resources: { file_search: { vector_store_ids: [id] } } }, 'file search');
    const threadId = await thread(ctx, 'What does the handbook say about refunds?');
    const streamed = await streamRun(ctx, `/threads/${threadId}/runs`, { assistant_id: assistantId });
    expect(streamed.run.status === 'completed', `the run ended ${streamed.run.status}, not completed`);
    const annotations = streamed.messages.flatMap((message) => message.content.flatMap((block) => (block.type === 'text' ? block.text.annotations : [])));
    const citation = annotations.find((annotation) => annotation.type === 'file_citation');
    expect(citation !== undefined, 'the answer has no file_citation annotation');
    expect(citation.type === 'file_citation' && citation.file_citation.file_id === fileId, 'the file_citation does not name the uploaded file');
  },
};
