/**
 * assistant-machines: the OpenAI Assistants run lifecycle as XState v5 statecharts.
 *
 * @packageDocumentation
 */
export * from './stream/index.ts';
export * from './wire/index.ts';
export * from './client/index.ts';
export * from './workflow/index.ts';
