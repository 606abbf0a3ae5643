export * from './actor';
export * from './auth.module';
export * from './auth.service';
export * from './passwords';
export * from './users.service';
