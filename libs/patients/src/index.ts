export * from './patients.module';
export * from './patients.service';
