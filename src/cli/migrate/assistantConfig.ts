import type { ResponseTool } from '../../client/index.ts';
import type { Assistant } from '../../wire/index.ts';
import type { NotCarried } from './report.ts';

/**
 * An assistant as the configuration a Responses application keeps in its code: what
 * `createAssistantRun`'s `responses.assistants` takes (`model`, `instructions`, `tools` in the
 * Responses shape, `temperature`, `topP`), what `responses.create` takes besides (`text`,
 * `reasoning`), and where it came from.
 */
export interface AssistantConfig {
  model: string;
  instructions: string | null;
  tools: ResponseTool[];
  temperature?: number;
  topP?: number;
  /** The Responses `text` setting its `response_format` becomes (JSON mode, a JSON schema). */
  text?: { format: Record<string, unknown> };
  /** The Responses `reasoning` setting its `reasoning_effort` becomes. */
  reasoning?: { effort: string };
  /** The assistant it was: its id, name, description and metadata, and the backend it was read from. */
  source: { assistant_id: string; name: string | null; description: string | null; metadata: Record<string, string>; from: string };
}

/**
 * An assistant's configuration in the Responses shape, and what of it could not be carried: the
 * tool resources become the tools' own settings (file_search's `vector_store_ids`,
 * code_interpreter's `container.file_ids`), which name the source's vector stores and files — the
 * report says so, since the target must have them too.
 *
 * @example `const { config, notCarried } = assistantConfig(assistant, 'http://127.0.0.1:4010/v1');`
 */
export function assistantConfig(assistant: Assistant, from: string): { config: AssistantConfig; notCarried: NotCarried[] } {
  const notCarried: NotCarried[] = [];
  const left = (what: string, why: string) => notCarried.push({ assistant_id: assistant.id, what, why });
  const resources = assistant.tool_resources ?? {};
  const tools: ResponseTool[] = [];
  for (const tool of assistant.tools) {
    if (tool.type === 'function') {
      const { name, description, parameters, strict } = (tool as { function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null } }).function;
      tools.push({ type: 'function', name, ...(description === undefined ? {} : { description }), parameters: parameters ?? null, ...(strict == null ? {} : { strict }) });
    } else if (tool.type === 'file_search') {
      const options = (tool as { file_search?: { max_num_results?: number; ranking_options?: { score_threshold?: number } } }).file_search ?? {};
      const vectorStoreIds = resources.file_search?.vector_store_ids ?? [];
      tools.push({
        type: 'file_search',
        vector_store_ids: vectorStoreIds,
        ...(options.max_num_results === undefined ? {} : { max_num_results: options.max_num_results }),
        ...(options.ranking_options?.score_threshold === undefined ? {} : { ranking_options: { score_threshold: options.ranking_options.score_threshold } }),
      });
      if (vectorStoreIds.length === 0) left('file_search without a vector store', 'a Responses file_search tool needs vector_store_ids: add the stores it should search');
      for (const id of vectorStoreIds) left(`vector store ${id}`, 'the tool names the store by its id on the source backend; vector stores are not copied: the target must have it');
    } else if (tool.type === 'code_interpreter') {
      const fileIds = resources.code_interpreter?.file_ids ?? [];
      tools.push({ type: 'code_interpreter', container: fileIds.length === 0 ? { type: 'auto' } : { type: 'auto', file_ids: fileIds } });
      for (const id of fileIds) left(`code interpreter file ${id}`, 'the container names the file by its id on the source backend; files are not copied: the target must have it');
    } else left(`tool of type ${JSON.stringify((tool as { type: string }).type)}`, 'it has no Responses counterpart this migration knows');
  }
  const config: AssistantConfig = {
    model: assistant.model,
    instructions: assistant.instructions,
    tools,
    ...(assistant.temperature == null ? {} : { temperature: assistant.temperature }),
    ...(assistant.top_p == null ? {} : { topP: assistant.top_p }),
    ...textOf(assistant.response_format),
    ...(assistant.reasoning_effort == null ? {} : { reasoning: { effort: assistant.reasoning_effort } }),
    source: { assistant_id: assistant.id, name: assistant.name, description: assistant.description, metadata: assistant.metadata ?? {}, from },
  };
  return { config, notCarried };
}

// `response_format` as the Responses `text.format`: JSON mode, or a JSON schema (its fields move up a level).
function textOf(format: unknown): Pick<AssistantConfig, 'text'> {
  if (typeof format !== 'object' || format === null) return {};
  const { type, json_schema: schema } = format as { type?: unknown; json_schema?: Record<string, unknown> };
  if (type === 'json_object') return { text: { format: { type: 'json_object' } } };
  if (type === 'json_schema' && schema !== undefined) return { text: { format: { type: 'json_schema', ...schema } } };
  return {};
}
