import type { AssistantTool, FileSearchToolCall } from '../../wire/index.ts';
import type { SearchHit } from '../search.ts';
import type { ToolCallContext } from './toolCall.ts';

/** How file_search ranks: the run's `file_search` tool options, or the API's defaults. */
export interface FileSearchRanking {
  maxResults: number;
  scoreThreshold: number;
}

/** The ranker the API names in a file_search call's `ranking_options`. */
export const DEFAULT_RANKER = 'default_2024_08_21';

/**
 * The ranking a run's tools ask for: `max_num_results` (default 20) and the `score_threshold`
 * of its `file_search` tool (default 0).
 *
 * @example `fileSearchRanking([{ type: 'file_search', file_search: { max_num_results: 5 } }]) // { maxResults: 5, scoreThreshold: 0 }`
 */
export function fileSearchRanking(tools: readonly AssistantTool[]): FileSearchRanking {
  const tool = tools.find((candidate) => candidate.type === 'file_search');
  const options = tool?.type === 'file_search' ? tool.file_search : undefined;
  return { maxResults: options?.max_num_results ?? 20, scoreThreshold: options?.ranking_options?.score_threshold ?? 0 };
}

/**
 * Makes a file_search call: announces it, searches the run's vector stores with `search`, and
 * puts the ranked results into the call (they reach clients with the step's completion, as in
 * the API, not as deltas).
 *
 * @example `await callFileSearch({ query: 'pets' }, context, fileSearchRanking(run.tools), (query, ranking) => hits)`
 */
export async function callFileSearch(
  call: { query: string },
  context: ToolCallContext,
  ranking: FileSearchRanking,
  search: (query: string, ranking: FileSearchRanking) => SearchHit[] | Promise<SearchHit[]>,
): Promise<FileSearchToolCall> {
  const toolCall: FileSearchToolCall = { id: context.id, type: 'file_search', file_search: {} };
  context.open(toolCall, { index: context.index, id: context.id, type: 'file_search', file_search: {} });
  context.countCompletion(call.query);
  await context.stepPause();
  const hits = await search(call.query, ranking);
  toolCall.file_search = {
    ranking_options: { ranker: DEFAULT_RANKER, score_threshold: ranking.scoreThreshold },
    results: hits.map(toSearchResult),
  };
  return toolCall;
}

function toSearchResult(hit: SearchHit): NonNullable<FileSearchToolCall['file_search']['results']>[number] {
  return { file_id: hit.fileId, file_name: hit.filename, score: hit.score, content: [{ type: 'text', text: hit.text }] };
}
