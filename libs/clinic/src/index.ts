export * from './clinic.module';
export * from './locations.service';
export * from './providers.service';
export * from './visit-types.service';
