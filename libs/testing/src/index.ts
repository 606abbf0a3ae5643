export * from './factories';
export * from './test-app';
export * from './test-database';
export * from './test-env';
export * from './wait-for';
export * from './query-counter';
export * from './fake-peers';
export * from './redis-dump';
