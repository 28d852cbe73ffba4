import type { FileSearchToolCall, RunStep } from '../../wire/index.ts';
import type { ModelAnswerEnding, ModelCitation, ModelRequest } from './model.ts';

/**
 * The name under which a live model sees the server's file_search: a function it calls with a
 * query. The server searches its own vector stores and sends back the passages.
 */
export const FILE_SEARCH_FUNCTION = 'file_search';

/** The function definition a live model is offered for file_search (name, description, JSON schema). */
export const FILE_SEARCH_DEFINITION = {
  name: FILE_SEARCH_FUNCTION,
  description:
    'Search the files attached to this conversation. Returns passages, each after a marker like 【0:1†notes.txt】; ' +
    'when you use a passage, write its marker right after the sentence that uses it.',
  parameters: {
    type: 'object',
    properties: { query: { type: 'string', description: 'What to look for in the files.' } },
    required: ['query'],
    additionalProperties: false,
  },
} as const;

/** Whether a run's live model gets the file_search function: the tool is on and a vector store is attached. */
export function offersFileSearch(request: ModelRequest): boolean {
  return request.vectorStoreIds.length > 0 && request.tools.some((tool) => tool.type === 'file_search');
}

/**
 * The query a model's file_search call asks for (its arguments' `query`, else the raw text).
 *
 * @example `fileSearchQuery('{"query":"refunds"}') // 'refunds'`
 */
export function fileSearchQuery(argumentsJson: string): string {
  try {
    const parsed = JSON.parse(argumentsJson) as { query?: unknown };
    if (typeof parsed.query === 'string') return parsed.query;
  } catch {
    // A model that wrote no JSON still asked for something: search its words.
  }
  return argumentsJson;
}

/** The file_search calls of a run's finished steps, oldest first: marker `【n:…】` names the n-th. */
export function fileSearchesOf(steps: readonly RunStep[]): FileSearchToolCall[] {
  return steps.flatMap((step) =>
    step.step_details.type === 'tool_calls' ? step.step_details.tool_calls.filter((call): call is FileSearchToolCall => call.type === 'file_search') : [],
  );
}

/**
 * What the model reads back from its file_search call: each passage after its marker
 * `【search:result†file name】`, or a line saying nothing matched.
 *
 * @example `fileSearchOutput(call, 0) // '【0:0†policy.txt】 Refunds take 5 days.'`
 */
export function fileSearchOutput(call: FileSearchToolCall, searchIndex: number): string {
  const results = call.file_search.results ?? [];
  if (results.length === 0) return 'No passage of the attached files matches this query.';
  return results
    .map((result, index) => `${marker(searchIndex, index, result.file_name ?? result.file_id)} ${(result.content ?? []).map((part) => part.text ?? '').join('')}`)
    .join('\n\n');
}

/**
 * The citations of an answer that used file_search: every marker the model wrote that names a
 * passage it was given becomes a `file_citation` of that passage's file. When the model wrote
 * none, `suffix` is a marker for the best passage to append, so the answer still cites its source.
 *
 * @example `citeSearches('Five days 【0:0†policy.txt】.', searches) // { suffix: '', annotations: [{ file_citation: { file_id } … }] }`
 */
export function citeSearches(text: string, searches: readonly FileSearchToolCall[]): { suffix: string; annotations: ModelCitation[] } {
  const annotations: ModelCitation[] = [];
  for (const match of text.matchAll(/【(\d+):(\d+)†[^】]*】/g)) {
    const result = searches[Number(match[1])]?.file_search.results?.[Number(match[2])];
    if (result === undefined) continue;
    annotations.push(citation(match[0], match.index, result.file_id));
  }
  if (annotations.length > 0) return { suffix: '', annotations };
  for (const [searchIndex, search] of searches.entries()) {
    const best = search.file_search.results?.[0];
    if (best === undefined) continue;
    const cited = marker(searchIndex, 0, best.file_name ?? best.file_id);
    const suffix = text === '' || /\s$/.test(text) ? cited : ` ${cited}`;
    return { suffix, annotations: [citation(cited, text.length + suffix.length - cited.length, best.file_id)] };
  }
  return { suffix: '', annotations: [] };
}

/**
 * The end of a streamed answer that may have used file_search: yields the marker
 * {@link citeSearches} appends (if any) and records the citations in `ending`.
 *
 * @example `yield* citeAnswer(answer, request.steps, ending);`
 */
export function* citeAnswer(answer: string, steps: readonly RunStep[], ending: ModelAnswerEnding): Generator<string> {
  const searches = fileSearchesOf(steps);
  if (searches.length === 0) return;
  const { suffix, annotations } = citeSearches(answer, searches);
  if (suffix !== '') yield suffix;
  if (annotations.length > 0) ending.annotations = annotations;
}

function marker(searchIndex: number, resultIndex: number, source: string): string {
  return `【${searchIndex}:${resultIndex}†${source.replace(/[】\n]/g, ' ')}】`;
}

function citation(text: string, start: number, fileId: string): ModelCitation {
  return { type: 'file_citation', text, start_index: start, end_index: start + text.length, file_citation: { file_id: fileId } };
}
