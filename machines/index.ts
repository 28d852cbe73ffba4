/**
 * The statecharts, as pure definitions: no I/O, callbacks as named no-op actions. Provide
 * your own implementations with `machine.provide({ actions })`, draw them, traverse them with
 * `xstate/graph`, or run them with `createActor`.
 *
 * @packageDocumentation
 */
export * from './assistantStream.ts';
export * from './callbacks.ts';
export * from './message.ts';
export * from './run.ts';
export * from './runStep.ts';
export * from './toolCall.ts';
export * from './announce.ts';
export * from './poll.ts';
export * from './pollIO.ts';
export * from './assistantRun.ts';
export * from './lifecycle.ts';
