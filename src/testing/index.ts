/**
 * Test helpers: complete wire objects, synthetic streams, and (soon) model-based test paths
 * generated from the statecharts.
 *
 * @packageDocumentation
 */
export * from './objects.ts';
export * from './model.ts';
export * from './conformance/index.ts';
export * from './chartPaths.ts';
export * from './playPath.ts';
export * from './mutations.ts';
export * from './runPaths.ts';
export * from './forEachRunPath.ts';
export * from './arbitraries.ts';
export * from './pollPaths.ts';
