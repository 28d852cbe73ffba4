export { createAssistantRun, restoreAssistantRun, type AssistantRunActor, type AssistantRunLogic, type AssistantRunOptions } from './createAssistantRun.ts';
export { RunNotStartedError } from './errors.ts';
export type { ResponsesAssistant, ResponsesRunMode } from './responsesBackend.ts';
export { THREAD_METADATA_KEY, type ConversationStore, type ResponsesHistoryMode } from './responsesHistory.ts';
export type { ToolContext, ToolFunction, ToolFunctions } from './tools.ts';
export { AssistantRunInputError } from '../../machines/assistantRun.ts';
export type {
  AssistantRunAttachInput,
  AssistantRunCommand,
  AssistantRunCreateParams,
  AssistantRunInput,
  AssistantRunOutput,
  AssistantRunProgress,
  AssistantRunStartInput,
  AssistantRunToolOutput,
  ToolCallProgress,
} from '../../machines/assistantRun.ts';
