export * from './AssistantStream.ts';
export * from './AssistantEventHandler.ts';
export * from './types.ts';
export type { ResponseStreamPosition, ResumedStream, ResumeResponseStream } from './resume.ts';
