// The attribute, metric and value names this adapter emits, from @opentelemetry/semantic-conventions
// (a devDependency): esbuild inlines the constants used here into the build, which is what the
// package advises for its incubating entry (it may rename them in a minor release) without
// anyone spelling a name by hand. The GenAI ones are those of the OpenTelemetry semantic
// conventions v1.41.0 (the version the package's 1.45 incubating entry documents; the GenAI
// conventions have since moved to open-telemetry/semantic-conventions-genai, unchanged for
// what is used here). The names of our own, where the conventions have none, are at the end.
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_HEADER,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ERROR_TYPE_VALUE_OTHER,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  GEN_AI_TOKEN_TYPE_VALUE_INPUT,
  GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK,
  METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
} from '@opentelemetry/semantic-conventions/incubating';

/** The GenAI semantic conventions version the spans and metrics follow. */
export const GEN_AI_CONVENTIONS_VERSION = '1.41.0';

/** Attribute names: the conventions' (GenAI, error, server, HTTP, URL), then our own. */
export const ATTR = {
  operationName: ATTR_GEN_AI_OPERATION_NAME,
  providerName: ATTR_GEN_AI_PROVIDER_NAME,
  agentId: ATTR_GEN_AI_AGENT_ID,
  agentName: ATTR_GEN_AI_AGENT_NAME,
  conversationId: ATTR_GEN_AI_CONVERSATION_ID,
  requestModel: ATTR_GEN_AI_REQUEST_MODEL,
  requestStream: ATTR_GEN_AI_REQUEST_STREAM,
  responseId: ATTR_GEN_AI_RESPONSE_ID,
  responseModel: ATTR_GEN_AI_RESPONSE_MODEL,
  responseFinishReasons: ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  responseTimeToFirstChunk: ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  usageInputTokens: ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  usageOutputTokens: ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  tokenType: ATTR_GEN_AI_TOKEN_TYPE,
  toolName: ATTR_GEN_AI_TOOL_NAME,
  toolCallId: ATTR_GEN_AI_TOOL_CALL_ID,
  toolType: ATTR_GEN_AI_TOOL_TYPE,
  toolCallArguments: ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  toolCallResult: ATTR_GEN_AI_TOOL_CALL_RESULT,
  inputMessages: ATTR_GEN_AI_INPUT_MESSAGES,
  outputMessages: ATTR_GEN_AI_OUTPUT_MESSAGES,
  systemInstructions: ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  errorType: ATTR_ERROR_TYPE,
  serverAddress: ATTR_SERVER_ADDRESS,
  serverPort: ATTR_SERVER_PORT,
  httpRequestMethod: ATTR_HTTP_REQUEST_METHOD,
  httpResponseStatusCode: ATTR_HTTP_RESPONSE_STATUS_CODE,
  httpRoute: ATTR_HTTP_ROUTE,
  /** `http.response.header.x-request-id`: the id the server gave its answer. */
  httpResponseRequestId: ATTR_HTTP_RESPONSE_HEADER('x-request-id'),
  urlPath: ATTR_URL_PATH,
  urlScheme: ATTR_URL_SCHEME,
  // Ours: what the conventions have no name for (the statecharts, run steps, polled objects).
  /** The statechart a span event's transition belongs to: `run`, `runStep`, `message`, `toolCall`, `assistantRun`, `poll`. */
  chart: 'assistant_machines.chart',
  /** The state that transition entered. */
  state: 'assistant_machines.state',
  runStepId: 'assistant_machines.run_step.id',
  runStepType: 'assistant_machines.run_step.type',
  runStepStatus: 'assistant_machines.run_step.status',
  messageId: 'assistant_machines.message.id',
  /** What a poll retrieves: `run`, `vectorStoreFile`, `vectorStoreFileBatch`, `response`. */
  pollResource: 'assistant_machines.poll.resource',
  /** The status of the object a poll ended with. */
  pollStatus: 'assistant_machines.poll.status',
  /** How many output chunks a stream carried (an output chunk: a read of the stream that brought output deltas). */
  outputChunks: 'assistant_machines.output_chunks',
  /** A durable run's Restate invocation (the same on every attempt). */
  restateInvocationId: 'assistant_machines.restate.invocation_id',
  /**
   * On a durable run's span: the attempt began by replaying a journal (a retry after a crash, or a
   * resumption). On a transition event: the chart took it again from the journal, not live.
   */
  restateReplayed: 'assistant_machines.restate.replayed',
  /** How a durable run's attempt ended: `returned`, `failed` (terminal), `retrying`, `abandoned` (suspended or aborted by Restate). */
  restateAttemptOutcome: 'assistant_machines.restate.attempt.outcome',
} as const;

/** Values of `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.token.type` and `error.type`. */
export const VALUE = {
  invokeAgent: GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  chat: GEN_AI_OPERATION_NAME_VALUE_CHAT,
  executeTool: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  openai: GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  input: GEN_AI_TOKEN_TYPE_VALUE_INPUT,
  output: GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
  otherError: ERROR_TYPE_VALUE_OTHER,
} as const;

/** Metric names. */
export const METRIC = {
  operationDuration: METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  tokenUsage: METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  timeToFirstChunk: METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
  timePerOutputChunk: METRIC_GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK,
} as const;
