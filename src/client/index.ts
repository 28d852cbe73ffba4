export { AssistantsClient, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, type AssistantsClientOptions } from './AssistantsClient.ts';
export * from './errors.ts';
export { Page, PagePromise, type ListResponse } from './pagination.ts';
export {
  createPollMachine,
  pollUntilDone,
  restorePollActor,
  settlePoll,
  type ClientPollMachine,
  type PollActor,
  type PollMachineOptions,
  type PollOptions,
} from './poll.ts';
export type { HeadersLike, RequestOptions } from './request.ts';
export {
  BACKOFF_JITTER,
  INITIAL_BACKOFF_MS,
  MAX_BACKOFF_MS,
  MAX_RETRY_AFTER_MS,
  REAL_CLOCK,
  isRetryable,
  isRetryableStatus,
  retryDelayMs,
  type RetryClock,
} from './retry.ts';
export type { StreamRequestOptions } from './streaming.ts';
export type * from './types.ts';
export { Assistants } from './resources/assistants.ts';
export { Beta } from './resources/beta.ts';
export { DEFAULT_UPLOAD_CONCURRENCY, FileBatches, type FileBatchUploadOptions } from './resources/fileBatches.ts';
export { Files } from './resources/files.ts';
export { Messages } from './resources/messages.ts';
export { Runs, type AttachStreamParams } from './resources/runs.ts';
export { POLLED_ATTACH_EVENT, type PolledAttachNotice } from './polledRunEvents.ts';
export { RESPONSE_POLLED_EVENT, RESPONSE_RESUMED_EVENT, type ResponseResumeNotice } from './responseResume.ts';
export { Steps } from './resources/steps.ts';
export {
  InputItems,
  Responses,
  type InputItemListParams,
  type ResponseCompactParams,
  type ResponseCreateParams,
  type ResponseInputItem,
  type ResponseInputItemObject,
  type ResponseStreamOptions,
  type ResponseStreamResumeParams,
  type ResponseTool,
} from './resources/responses.ts';
export { Threads } from './resources/threads.ts';
export {
  RESPONSE_RESTARTED_EVENT,
  ResponsesWebSocket,
  webSocketURL,
  type ResponseRestartNotice,
  type ResponseWebSocketCreateParams,
  type ResponsesWebSocketOptions,
  type WebSocketConstructor,
  type WebSocketEventLike,
  type WebSocketLike,
} from './webSocket/ResponsesWebSocket.ts';
export {
  ConversationItems,
  Conversations,
  type ConversationCreateParams,
  type ConversationIncludable,
  type ConversationItemCreateParams,
  type ConversationItemDeleteParams,
  type ConversationItemListParams,
  type ConversationItemRetrieveParams,
  type ConversationUpdateParams,
} from './resources/conversations.ts';
export { VectorStoreFiles } from './resources/vectorStoreFiles.ts';
export { VectorStores } from './resources/vectorStores.ts';
