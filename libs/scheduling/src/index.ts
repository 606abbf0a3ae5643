export * from './appointment.view';
export * from './appointment-queries.service';
export * from './appointments.service';
export * from './care-plans.service';
export * from './plan-facts';
export * from './scheduling.module';
export * from './series.service';
export * from './slots.service';
