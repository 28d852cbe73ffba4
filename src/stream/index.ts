export * from './AssistantStream.ts';
export * from './AssistantEventHandler.ts';
export * from './types.ts';
