export { createAssistantRun, restoreAssistantRun, type AssistantRunActor, type AssistantRunLogic, type AssistantRunOptions } from './createAssistantRun.ts';
export { RunNotStartedError } from './errors.ts';
export type { ConversationStore, ResponsesAssistant, ResponsesRunMode } from './responsesBackend.ts';
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
