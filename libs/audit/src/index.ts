export * from './audit.module';
export * from './audit-rows';
export * from './audit.service';
