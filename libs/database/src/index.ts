export * from './data-source';
export * from './database.module';
export * from './entities';
export * from './pg-errors';
export * from './pagination';
export * from './prepared-query';
export * from './statement-batcher';
export * from './update-returning';
