/** IVR statistics: the events the engine records (types.ts) and their aggregation (aggregate.ts). */
export * from './types.ts';
export * from './aggregate.ts';
export { IvrEventBatcher, type IvrEventBatcherOptions } from './batcher.ts';
