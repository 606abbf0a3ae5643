export * from './health.module';
export * from './health.service';
export * from './metrics';
export * from './queue-probe.service';
